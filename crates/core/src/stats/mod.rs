//! Statistics over raw samples: pure functions, property-tested.
//!
//! A row's estimate is the mean of its samples ([`estimate`], with a Student's t interval,
//! [`mean_ci`]): the samples are loops of many operations taken back to back, so their mean
//! is total time over total operations, and costs that come in bursts (a garbage-collection
//! cycle and its finalizers, a page fault) stay in it. The median (with a distribution-free
//! interval from order statistics) is kept in the summary as the cost of an uninterrupted
//! sample; the gap between the two is the burst part. Outliers are counted with Tukey's
//! fences and reported, never dropped.

mod mean;
pub use mean::{mean_ci, t_quantile, RunningMean};
pub mod bootstrap;
pub mod machine_state;

/// The row estimator: the mean of the samples (NaN for none). See the module comment.
pub fn estimate(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.iter().sum::<f64>() / samples.len() as f64
}
pub mod mann_whitney;

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};
use statrs::statistics::{Data, Distribution, Max, Min, OrderStatistics};

/// Confidence level of [`Summary::ci_low`]..[`Summary::ci_high`].
pub const CONFIDENCE: f64 = 0.95;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    pub low_severe: usize,
    pub low_mild: usize,
    pub high_mild: usize,
    pub high_severe: usize,
}

impl Outliers {
    pub fn total(&self) -> usize {
        self.low_severe + self.low_mild + self.high_mild + self.high_severe
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub mean: f64,
    pub std_dev: f64,
    pub min: f64,
    pub max: f64,
    pub outliers: Outliers,
    /// The first sample over the median of the rest: above 1 means warm-up was short.
    pub first_over_median: f64,
}

/// Summarizes samples (ns per op). Empty input gives NaN estimates.
/// The first and the last decile of some readings, as order statistics rounded inwards
/// (of 10 readings the 1st and the 9th: not interpolated towards the extreme), or nothing
/// when there are none: the spread of a row's short machine readings without the one
/// reading a preemption blew up (one read 12x the others).
pub fn low_high_decile(readings: &mut [f64]) -> Vec<f64> {
    let n = readings.len();
    if n == 0 {
        return Vec::new();
    }
    let rank = |q: f64| 1 + (q * (n - 1) as f64).floor() as usize;
    let mut d = Data::new(readings);
    vec![d.order_statistic(rank(0.1)), d.order_statistic(rank(0.9))]
}

pub fn summarize(samples: &[f64]) -> Summary {
    let n = samples.len();
    if n == 0 {
        return Summary {
            median: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            mean: f64::NAN,
            std_dev: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
            outliers: Outliers::default(),
            first_over_median: f64::NAN,
        };
    }
    let mut data = Data::new(samples.to_vec());
    let median = data.median();
    let (ci_low, ci_high) = median_ci(samples, CONFIDENCE);
    let rest_median = if n > 1 { Data::new(samples[1..].to_vec()).median() } else { median };
    Summary {
        median,
        ci_low,
        ci_high,
        mean: data.mean().unwrap_or(f64::NAN),
        std_dev: if n > 1 { data.std_dev().unwrap_or(0.0) } else { 0.0 },
        min: data.min(),
        max: data.max(),
        outliers: tukey_outliers(samples),
        first_over_median: if rest_median > 0.0 { samples[0] / rest_median } else { 1.0 },
    }
}

/// Distribution-free confidence interval for the median: the pair of order statistics
/// `x(l), x(n+1-l)` whose coverage, from Binomial(n, 1/2), is at least `confidence`.
/// With too few samples for that (n < 6 at 95%) it is the whole range.
pub fn median_ci(samples: &[f64], confidence: f64) -> (f64, f64) {
    let n = samples.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let binom = Binomial::new(0.5, n as u64).expect("valid binomial");
    // Largest l (1-based) with P(B <= l-1) <= tail.
    let mut l = 1usize;
    while l < n / 2 && binom.cdf(l as u64) <= tail {
        l += 1;
    }
    (sorted[l - 1], sorted[n - l])
}

/// Tukey's fences: mild beyond 1.5 IQR of the quartiles, severe beyond 3 IQR.
pub fn tukey_outliers(samples: &[f64]) -> Outliers {
    let mut out = Outliers::default();
    if samples.len() < 4 {
        return out;
    }
    let mut data = Data::new(samples.to_vec());
    let (q1, q3) = (data.lower_quartile(), data.upper_quartile());
    let iqr = q3 - q1;
    for &x in samples {
        if x < q1 - 3.0 * iqr {
            out.low_severe += 1;
        } else if x < q1 - 1.5 * iqr {
            out.low_mild += 1;
        } else if x > q3 + 3.0 * iqr {
            out.high_severe += 1;
        } else if x > q3 + 1.5 * iqr {
            out.high_mild += 1;
        }
    }
    out
}

/// `y = intercept + slope * x`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub intercept: f64,
    pub slope: f64,
}

/// Least-squares line through `(x, y)` points, weighting each by `1/y²` so that the
/// small sizes (which fix the intercept) count as much as the large ones (which fix
/// the slope): the fit minimizes relative, not absolute, error.
/// `None` with fewer than two distinct x or a non-positive y.
pub fn fit_line_relative(points: &[(f64, f64)]) -> Option<Line> {
    if points.iter().any(|&(x, y)| !(y > 0.0) || !x.is_finite()) {
        return None;
    }
    let w: Vec<f64> = points.iter().map(|&(_, y)| 1.0 / (y * y)).collect();
    let sw: f64 = w.iter().sum();
    let mx = points.iter().zip(&w).map(|(p, w)| w * p.0).sum::<f64>() / sw;
    let my = points.iter().zip(&w).map(|(p, w)| w * p.1).sum::<f64>() / sw;
    let sxx: f64 = points.iter().zip(&w).map(|(p, w)| w * (p.0 - mx).powi(2)).sum();
    if !(sxx > 0.0) {
        return None;
    }
    let sxy: f64 = points.iter().zip(&w).map(|(p, w)| w * (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some(Line { intercept: my - slope * mx, slope })
}

#[cfg(test)]
mod tests;
