//! The two-sided Mann–Whitney U test (what benchstat uses to call a change): exact by
//! counting arrangements for small samples without ties, the normal approximation with tie
//! and continuity corrections otherwise.

use statrs::distribution::{ContinuousCDF, Normal};

/// Two-sided p-value of the Mann–Whitney U test: exact (by counting arrangements) for
/// small samples without ties, the normal approximation with tie and continuity
/// corrections otherwise. 1.0 when either side is empty.
pub fn mann_whitney_p(x: &[f64], y: &[f64]) -> f64 {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // Ranks of the pooled samples, ties sharing their mean rank.
    let mut all: Vec<(f64, usize)> = x.iter().map(|&v| (v, 0)).chain(y.iter().map(|&v| (v, 1))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let mut ranks = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut ties = false;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for rank in ranks.iter_mut().take(j + 1).skip(i) {
            *rank = r;
        }
        let t = (j - i + 1) as f64;
        if t > 1.0 {
            ties = true;
            tie_term += t * t * t - t;
        }
        i = j + 1;
    }
    let r1: f64 = all.iter().zip(&ranks).filter(|(a, _)| a.1 == 0).map(|(_, r)| r).sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u = u1.min((n1 * n2) as f64 - u1);
    if !ties && n1 * n2 <= 2500 {
        // Exact: the number of arrangements with U = k, by dynamic programming.
        let counts = u_distribution(n1, n2);
        let total: f64 = counts.iter().sum();
        let below: f64 = counts.iter().take(u as usize + 1).sum();
        return (2.0 * below / total).min(1.0);
    }
    let (a, b) = (n1 as f64, n2 as f64);
    let mean = a * b / 2.0;
    let nn = a + b;
    let var = a * b / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
    if !(var > 0.0) {
        return 1.0;
    }
    let z = ((mean - u) - 0.5).max(0.0) / var.sqrt();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    (2.0 * (1.0 - normal.cdf(z))).min(1.0)
}

/// Frequencies of U for sample sizes n1, n2 (index = U), without ties.
fn u_distribution(n1: usize, n2: usize) -> Vec<f64> {
    // f[m][k]: arrangements of m items of the first sample among the first m + j items... computed
    // with the classic recurrence c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u).
    let max_u = n1 * n2;
    // table[a][b] = distribution for sizes a, b
    let mut table: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n2 + 1]; n1 + 1];
    for a in 0..=n1 {
        for b in 0..=n2 {
            let mut d = vec![0.0; a * b + 1];
            if a == 0 || b == 0 {
                d[0] = 1.0;
            } else {
                for (u, slot) in d.iter_mut().enumerate() {
                    let mut v = 0.0;
                    if u >= b {
                        if let Some(x) = table[a - 1][b].get(u - b) {
                            v += x;
                        }
                    }
                    if let Some(x) = table[a][b - 1].get(u) {
                        v += x;
                    }
                    *slot = v;
                }
            }
            table[a][b] = d;
        }
    }
    let d = std::mem::take(&mut table[n1][n2]);
    debug_assert_eq!(d.len(), max_u + 1);
    d
}

/// The smallest p-value the exact test can give for sample sizes n1, n2 (two-sided).
pub fn min_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // One arrangement in C(n1 + n2, n1) at each extreme.
    let mut c = 1.0f64;
    for i in 0..n1 {
        c = c * (n2 + n1 - i) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
}

