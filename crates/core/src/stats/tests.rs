use super::*;
use proptest::prelude::*;

fn samples() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.1f64..1e7, 1..200)
}

proptest! {
    #[test]
    fn median_lies_within_its_interval_and_the_range(xs in samples()) {
        let s = summarize(&xs);
        prop_assert!(s.min <= s.ci_low && s.ci_low <= s.median && s.median <= s.ci_high && s.ci_high <= s.max,
            "{s:?}");
    }

    #[test]
    fn order_does_not_matter(mut xs in samples()) {
        let a = summarize(&xs);
        xs.reverse();
        let b = summarize(&xs);
        prop_assert_eq!(a.median, b.median);
        prop_assert_eq!((a.ci_low, a.ci_high), (b.ci_low, b.ci_high));
        prop_assert_eq!(a.outliers, b.outliers);
    }

    #[test]
    fn scaling_the_samples_scales_the_estimates(xs in samples(), k in 0.5f64..1000.0) {
        let a = summarize(&xs);
        let scaled: Vec<f64> = xs.iter().map(|x| x * k).collect();
        let b = summarize(&scaled);
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
        prop_assert!(close(a.median * k, b.median));
        prop_assert!(close(a.ci_low * k, b.ci_low));
        prop_assert!(close(a.ci_high * k, b.ci_high));
        prop_assert_eq!(a.outliers, b.outliers);
    }

    #[test]
    fn outliers_never_exceed_the_samples(xs in samples()) {
        prop_assert!(tukey_outliers(&xs).total() <= xs.len());
    }

    #[test]
    fn fit_recovers_an_exact_line(a in 0.0f64..1e4, b in 1e-3f64..100.0,
                                  xs in prop::collection::btree_set(1u32..2_000_000, 2..10)) {
        let pts: Vec<(f64, f64)> = xs.iter().map(|&x| (x as f64, a + b * x as f64)).collect();
        let line = fit_line_relative(&pts).unwrap();
        prop_assert!((line.slope - b).abs() <= 1e-6 * b.max(1.0), "{line:?}");
        prop_assert!((line.intercept - a).abs() <= 1e-6 * (a + b * 2e6).max(1.0), "{line:?}");
    }
}

#[test]
fn interval_covers_known_ranks() {
    // n = 30 at 95%: the classic interval is x(10)..x(21) (1-based).
    let xs: Vec<f64> = (1..=30).map(f64::from).collect();
    assert_eq!(median_ci(&xs, 0.95), (10.0, 21.0));
    // n = 100: x(40)..x(61), narrower relative to n.
    let xs: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(median_ci(&xs, 0.95), (40.0, 61.0));
    // Too few samples for 95%: the whole range.
    assert_eq!(median_ci(&[3.0, 1.0, 2.0], 0.95), (1.0, 3.0));
}

#[test]
fn tukey_counts_the_right_side() {
    let mut xs: Vec<f64> = (1..=20).map(f64::from).collect();
    xs.push(100.0); // severe high
    xs.push(-100.0); // severe low
    xs.push(35.0); // mild high: beyond 1.5 IQR, within 3
    let o = tukey_outliers(&xs);
    assert_eq!((o.high_severe, o.low_severe, o.high_mild, o.low_mild), (1, 1, 1, 0), "{o:?}");
}

#[test]
fn first_sample_ratio_flags_a_cold_start() {
    let s = summarize(&[30.0, 10.0, 10.0, 10.0, 10.0]);
    assert!((s.first_over_median - 3.0).abs() < 1e-12);
}

#[test]
fn fit_rejects_degenerate_input() {
    assert!(fit_line_relative(&[(1.0, 2.0)]).is_none());
    assert!(fit_line_relative(&[(1.0, 2.0), (1.0, 3.0)]).is_none());
    assert!(fit_line_relative(&[(1.0, 0.0), (2.0, 3.0)]).is_none());
}

#[test]
fn empty_input_is_nan_not_a_panic() {
    assert!(summarize(&[]).median.is_nan());
}
