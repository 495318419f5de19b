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

mod bootstrap_and_mann_whitney {
    use super::super::bootstrap::{estimates, median, ratio_ci, seed_of};
    use super::super::mann_whitney::{mann_whitney_p, min_p};
    use proptest::prelude::*;

    fn samples() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(0.1f64..1e6, 1..40)
    }

    proptest! {
        #[test]
        fn the_same_seed_gives_the_same_interval(a in samples(), b in samples(), seed in any::<u64>()) {
            prop_assert_eq!(ratio_ci(&a, &b, 0.95, 200, seed), ratio_ci(&a, &b, 0.95, 200, seed));
        }

        #[test]
        fn replicate_estimates_stay_within_each_rows_range(a in samples(), b in samples(), seed in any::<u64>()) {
            let r = estimates(&[&a, &b], 100, seed);
            for m in &r.reps {
                for (x, row) in m.iter().zip([&a, &b]) {
                    let lo = row.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    // A mean of equal values may differ from them in the last bit.
                    let eps = 1e-12 * hi.abs().max(1.0);
                    prop_assert!(lo - eps <= *x && *x <= hi + eps, "{lo} <= {x} <= {hi}");
                }
            }
            prop_assert_eq!(r.point[0], crate::stats::estimate(&a));
        }

        #[test]
        fn a_difference_interval_brackets_a_constant_shift(a in samples(), k in 1.0f64..1e5, seed in any::<u64>()) {
            // b = a + k exactly: every replicate of (median b - median a) is about k, the
            // interval is narrow around it only in expectation, but it always contains
            // values of both rows' spreads: check it is ordered and finite.
            let b: Vec<f64> = a.iter().map(|x| x + k).collect();
            let r = estimates(&[&a, &b], 200, seed);
            let (v, lo, hi) = r.estimate(0.95, |m| m[1] - m[0]);
            prop_assert!((v - k).abs() <= 1e-6 * k.max(1.0));
            prop_assert!(lo <= hi && lo.is_finite() && hi.is_finite());
        }

        #[test]
        fn p_value_is_a_probability_and_symmetric(a in samples(), b in samples()) {
            let p = mann_whitney_p(&a, &b);
            prop_assert!((0.0..=1.0).contains(&p), "{p}");
            prop_assert!((p - mann_whitney_p(&b, &a)).abs() < 1e-9);
        }

        #[test]
        fn exact_p_is_never_below_its_minimum(n1 in 1usize..8, n2 in 1usize..8, shift in 0.0f64..100.0) {
            let a: Vec<f64> = (0..n1).map(|i| i as f64).collect();
            let b: Vec<f64> = (0..n2).map(|i| i as f64 + shift + 0.5).collect();
            prop_assert!(mann_whitney_p(&a, &b) + 1e-12 >= min_p(n1, n2));
        }
    }

    #[test]
    fn exact_mann_whitney_matches_tables() {
        // Fully separated 5 vs 5: p = 2 / C(10, 5) = 2/252.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        assert!((mann_whitney_p(&a, &b) - 2.0 / 252.0).abs() < 1e-12);
        assert!((min_p(5, 5) - 2.0 / 252.0).abs() < 1e-12);
        // Identical samples (all ties): no evidence at all.
        assert_eq!(mann_whitney_p(&a, &a), 1.0);
        // 3 vs 3 can never reach 0.05.
        assert!(min_p(3, 3) > 0.05);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_ratio() {
        let a: Vec<f64> = (0..20).map(|i| 100.0 + i as f64 * 0.1).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 2.0).collect();
        let ci = ratio_ci(&a, &b, 0.95, 1000, 7);
        assert_eq!(ci, ratio_ci(&a, &b, 0.95, 1000, 7));
        assert!(ci.0 <= 2.0 && 2.0 <= ci.1 && ci.1 - ci.0 < 0.05, "{ci:?}");
        assert_ne!(seed_of("a"), seed_of("b"));
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}

#[test]
fn the_deciles_of_readings_leave_out_one_blown_up_reading() {
    let mut r = vec![10.0, 11.0, 10.5, 120.0, 10.2, 10.8, 10.1, 10.9, 10.4, 10.6];
    assert_eq!(low_high_decile(&mut r), vec![10.0, 11.0]);
    assert_eq!(low_high_decile(&mut [5.0]), vec![5.0, 5.0]);
    assert!(low_high_decile(&mut []).is_empty());
}
