//! The mean of the samples and its confidence interval: the estimator of a row's cost.
//!
//! A row's samples are loops of many operations taken back to back, so their mean is the
//! total time over the total operations: the cost per operation *including* whatever the
//! operations cause in bursts (a Go garbage-collection cycle and the finalizers it runs,
//! a page fault, a JIT tier-up) and pay in a few samples only. The median of the samples
//! is robust to noise but steps around exactly those bursts: on wasmtime-go's `Func.Call`
//! the samples that contain a GC cycle take 2-4x the others, and the median of 20 ms
//! samples left a third of the cost out (issue #9). The median is kept beside the mean as
//! the cost of an uninterrupted sample; their gap is the burst part.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Student's t interval for the mean of `samples` at `confidence`: `(low, high)`.
/// A single sample (or identical samples) gives the point itself. Samples are times, never
/// negative, so neither is the interval: with few, spread samples (a quick run's 5) the t
/// interval's lower end would go below zero ("-3.35 µs"), and it is held at zero instead.
pub fn mean_ci(samples: &[f64], confidence: f64) -> (f64, f64) {
    let n = samples.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, mean);
    }
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    if !(se > 0.0) {
        return (mean, mean);
    }
    let q = t_quantile((n - 1) as f64, confidence);
    let low = mean - q * se;
    let nonnegative = samples.iter().all(|x| *x >= 0.0);
    (if nonnegative { low.max(0.0) } else { low }, mean + q * se)
}

/// The two-sided Student's t quantile for `confidence` with `df` degrees of freedom.
pub fn t_quantile(df: f64, confidence: f64) -> f64 {
    let t = StudentsT::new(0.0, 1.0, df).expect("valid t distribution");
    t.inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

/// The mean of samples as they arrive, with the half-width of its Student's t interval
/// (Welford's update: the same interval as [`mean_ci`] without keeping the samples): what
/// adaptive sampling checks after each sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunningMean {
    n: usize,
    mean: f64,
    m2: f64,
}

impl RunningMean {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Half the width of the mean's interval over the mean (infinite below two samples).
    pub fn relative_half_width(&self, confidence: f64) -> f64 {
        if self.n < 2 || !(self.mean > 0.0) {
            return f64::INFINITY;
        }
        let se = (self.m2 / (self.n - 1) as f64 / self.n as f64).sqrt();
        t_quantile((self.n - 1) as f64, confidence) * se / self.mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // n = 4, mean 2.5, sd 1.2910, se 0.6455, t(0.975, 3) = 3.1824
        let (lo, hi) = mean_ci(&[1.0, 2.0, 3.0, 4.0], 0.95);
        assert!((lo - (2.5 - 3.1824 * 0.645_497)).abs() < 1e-3, "{lo}");
        assert!((hi - (2.5 + 3.1824 * 0.645_497)).abs() < 1e-3, "{hi}");
        assert_eq!(mean_ci(&[7.0], 0.95), (7.0, 7.0));
        assert_eq!(mean_ci(&[3.0, 3.0, 3.0], 0.95), (3.0, 3.0));
        // Five spread times (a quick run): the t interval would start below zero.
        let (lo, hi) = mean_ci(&[0.5, 0.6, 0.4, 0.5, 20.0], 0.95);
        assert_eq!(lo, 0.0);
        assert!(hi > 4.4, "{hi}");
        assert!(mean_ci(&[], 0.95).0.is_nan());
    }

    #[test]
    fn bursts_move_the_mean_not_the_median() {
        // 26 quiet samples and 4 that contain a burst 3x as long: the mean carries the
        // burst's amortized share, which is what a caller pays per operation.
        let mut xs = vec![1000.0; 26];
        xs.extend([3000.0; 4]);
        let (lo, hi) = mean_ci(&xs, 0.95);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 1266.67).abs() < 0.01);
        assert!(lo < mean && mean < hi && lo > 1000.0, "({lo}, {hi})");
    }

    proptest! {
        #[test]
        fn the_running_half_width_is_mean_cis(xs in prop::collection::vec(0.1f64..1e7, 2..100)) {
            let mut r = RunningMean::default();
            xs.iter().for_each(|&x| r.push(x));
            let (lo, hi) = mean_ci(&xs, 0.95);
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            prop_assert!((r.mean() - mean).abs() <= 1e-9 * mean);
            let want = (hi - mean) / mean; // the upper half: the lower one is held at zero
            prop_assert!(lo <= mean && (lo == 0.0 || ((mean - lo) - (hi - mean)).abs() <= 1e-9 * hi));
            prop_assert!((r.relative_half_width(0.95) - want).abs() <= 1e-6 * want.max(1e-9), "{} vs {want}", r.relative_half_width(0.95));
        }

        #[test]
        fn the_mean_lies_within_its_interval_and_the_range(xs in prop::collection::vec(0.1f64..1e7, 1..200)) {
            let (lo, hi) = mean_ci(&xs, 0.95);
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(lo <= mean * (1.0 + 1e-12) && mean <= hi * (1.0 + 1e-12), "({lo}, {mean}, {hi})");
            prop_assert!(min <= mean * (1.0 + 1e-12) && mean <= max * (1.0 + 1e-12));
        }

        #[test]
        fn a_wider_confidence_gives_a_wider_interval(xs in prop::collection::vec(0.1f64..1e7, 2..100)) {
            let (a, b) = mean_ci(&xs, 0.90);
            let (c, d) = mean_ci(&xs, 0.99);
            prop_assert!(c <= a + 1e-9 * a.abs() && b <= d + 1e-9 * d.abs());
        }
    }
}
