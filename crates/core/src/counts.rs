//! Instruction counts per operation (`run --counts`): what does not wobble.
//!
//! A host counts a row under callgrind by the two-count difference: the instructions of a
//! loop of `n2` operations less those of a loop of `n1`, over `n2 - n1`, so start-up,
//! compilation and the loop's fixed costs cancel. Each row is counted `repeats` times; the
//! spread of the repeats is recorded. A Go row is counted with the collector off (quiet)
//! and again with it on: the difference is the collector's work per operation.

use crate::results::RowKey;
use serde::{Deserialize, Serialize};

/// One counted row: raw counts only, everything else is derived from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    #[serde(flatten)]
    pub key: RowKey,
    /// The two loop lengths of each repeat.
    pub n1: u64,
    pub n2: u64,
    /// Instructions per operation, `(Ir(n2) - Ir(n1)) / (n2 - n1)`, one per repeat. For a Go
    /// row: with the collector off (`GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1`).
    pub instructions_per_op: Vec<f64>,
    /// A Go row counted again with the collector on (`GOMAXPROCS=1
    /// GODEBUG=asyncpreemptoff=1`), one per repeat; empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gc_on_instructions_per_op: Vec<f64>,
    /// Every counted operation checked its own result (the very loop that is timed).
    pub verified: bool,
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Spread of repeats: (max - min) / mean, in percent.
fn spread(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    (m != 0.0).then(|| (hi - lo) / m.abs() * 100.0)
}

impl CountRow {
    /// Instructions per operation: the mean of the repeats.
    pub fn per_op(&self) -> f64 {
        mean(&self.instructions_per_op).unwrap_or(f64::NAN)
    }

    /// (max - min) / mean of the repeats, percent.
    pub fn spread_pct(&self) -> f64 {
        spread(&self.instructions_per_op).unwrap_or(f64::NAN)
    }

    /// The collector's instructions per operation: with it on less with it off (Go rows).
    pub fn gc_per_op(&self) -> Option<f64> {
        Some(mean(&self.gc_on_instructions_per_op)? - self.per_op())
    }

    /// Spread of the collector-on repeats, percent.
    pub fn gc_spread_pct(&self) -> Option<f64> {
        spread(&self.gc_on_instructions_per_op)
    }
}

/// `1.32 k`, `242.3`, `12.8 k`: instructions per op as reports write them.
pub fn instr(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v.abs() >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `242 instr (±0.1%)` with the spread of the repeats.
pub fn instr_with_spread(c: &CountRow) -> String {
    format!("{} (spread {:.2}%)", instr(c.per_op()), c.spread_pct())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: Vec<f64>, gc: Vec<f64>) -> CountRow {
        CountRow {
            key: RowKey { host: "go".into(), runtime: "r".into(), api: "a".into(), scenario: "s".into(), params: Default::default() },
            n1: 10,
            n2: 50,
            instructions_per_op: v,
            gc_on_instructions_per_op: gc,
            verified: true,
        }
    }

    #[test]
    fn mean_spread_and_gc_share() {
        let r = row(vec![100.0, 102.0], vec![150.0, 160.0]);
        assert_eq!(r.per_op(), 101.0);
        assert!((r.spread_pct() - 2.0 / 101.0 * 100.0).abs() < 1e-9);
        assert_eq!(r.gc_per_op(), Some(54.0));
        assert!(row(vec![1.0], vec![]).gc_per_op().is_none());
        assert!(row(vec![], vec![]).per_op().is_nan());
    }
}
