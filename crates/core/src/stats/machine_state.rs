//! Which samples were taken while the machine ran in its fast state.
//!
//! A shared VM switches speed for tens of milliseconds to seconds at a time (a busy
//! sibling hyperthread: the hosts' reference loop, a sum of 10,000 i32, reads about 355 ns
//! or 1.9x or 3.5x that, with little in between). A row whose samples straddle two states
//! is a mixture whose mean depends on how long each state lasted, and two runs of the same
//! build then disagree by up to the states' ratio. So the hosts time the reference loop
//! just after every sample of a default-run row (`RawRow::sample_machine_ns`) and keep the
//! fastest reading their process has seen (`RawRow::machine_fast_ns`); a sample counts
//! when the readings just before and just after it are both within [`STATE_TOL`] of that
//! fast state. The others are set aside: kept in the file, counted in the report, left
//! out of the row's statistics. A row with fewer than [`MIN_KEPT`] such samples keeps
//! every sample: it was measured in a slow state, and its figure says so. A row measured
//! in several worker processes is judged over all of them ([`judge_processes`]).
//!
//! The readings measure the machine, not the row: costs the calls cause (a collection,
//! a page fault, a finalizer) slow the sample, not the reading after it, so they stay in.
//! The Go host does not set aside any sample of a row whose calls make work for its
//! collector (it writes no `machine_fast_ns`): the collector's dedicated worker runs on
//! the other core, and a reading it slowed would take that burst out of the row.

/// A reading within this fraction above the fast state is the fast state (the states are
/// 1.9x apart; readings within one state vary by about 1%).
pub const STATE_TOL: f64 = 0.25;
/// A row keeps its fast-state samples only when it has at least this many; otherwise every
/// sample.
pub const MIN_KEPT: usize = 5;

/// Whether each sample was taken in the fast state: `before` is the reading just before the
/// first sample, `after[i]` the reading just after sample `i`. Empty when the readings do not
/// cover the samples or the fast state is unknown.
pub fn fast_samples(before: f64, after: &[f64], fast: f64) -> Vec<bool> {
    if !(fast > 0.0) || !fast.is_finite() {
        return Vec::new();
    }
    let limit = fast * (1.0 + STATE_TOL);
    let ok = |x: f64| x.is_finite() && x > 0.0 && x <= limit;
    let mut prev = ok(before);
    after
        .iter()
        .map(|&x| {
            let now = ok(x);
            let both = prev && now;
            prev = now;
            both
        })
        .collect()
}

/// How a row's samples were judged ([`judge`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The samples the statistics use.
    pub used: Vec<f64>,
    /// How many were set aside (taken in a slower state).
    pub set_aside: usize,
    /// How many were taken in the fast state; `None` when the row has no readings covering
    /// its samples, or no fast state to judge them by.
    pub fast: Option<usize>,
}

/// The samples a row's statistics use: those taken in the fast state when there are at
/// least [`MIN_KEPT`] of them, otherwise all (also when the row has no readings for its
/// samples).
pub fn judge(samples: &[f64], before: Option<f64>, after: &[f64], fast: Option<f64>) -> Judged {
    let all = |fast| Judged { used: samples.to_vec(), set_aside: 0, fast };
    let (Some(before), Some(fast)) = (before, fast) else { return all(None) };
    let flags = fast_samples(before, after, fast);
    if samples.is_empty() || after.len() != samples.len() || flags.len() != samples.len() {
        return all(None);
    }
    let n = flags.iter().filter(|f| **f).count();
    if n < MIN_KEPT || n == samples.len() {
        return all(Some(n));
    }
    let used: Vec<f64> = samples.iter().zip(&flags).filter(|(_, f)| **f).map(|(s, _)| *s).collect();
    Judged { used, set_aside: samples.len() - n, fast: Some(n) }
}

/// One worker process's part of a row, as [`judge`] takes it.
#[derive(Debug, Clone, Copy)]
pub struct Process<'a> {
    pub samples: &'a [f64],
    pub before: Option<f64>,
    pub after: &'a [f64],
    pub fast: Option<f64>,
}

/// A row's processes judged together: when every process has readings covering its samples
/// and the row has at least [`MIN_KEPT`] fast-state samples in all, each process keeps only
/// its fast-state ones, and a process measured wholly in a slower state keeps none (its
/// `used` is empty); otherwise each process is judged on its own ([`judge`]). Judged one by
/// one, a process's few samples (a third of a row's) seldom reach [`MIN_KEPT`] in the fast
/// state when the machine was slow through it, so the slow process kept every sample: in
/// two default runs of a noisy afternoon (2026-11-29) 505 and 459 of the 671 and 638 rows
/// whose processes lay over 10% apart had their slowest process in a slower state (its
/// median reading over 1.25 times the host's fastest), and its samples moved the row's
/// mean and widened its engine's spread, which the regression gate allows every row.
pub fn judge_processes(processes: &[Process<'_>]) -> Vec<Judged> {
    let one_by_one = || processes.iter().map(|p| judge(p.samples, p.before, p.after, p.fast)).collect();
    let mut flags = Vec::with_capacity(processes.len());
    for p in processes {
        let (Some(before), Some(fast)) = (p.before, p.fast) else { return one_by_one() };
        let f = fast_samples(before, p.after, fast);
        if p.samples.is_empty() || p.after.len() != p.samples.len() || f.len() != p.samples.len() {
            return one_by_one();
        }
        flags.push(f);
    }
    let counts: Vec<usize> = flags.iter().map(|f| f.iter().filter(|x| **x).count()).collect();
    let (fast, taken) = (counts.iter().sum::<usize>(), processes.iter().map(|p| p.samples.len()).sum::<usize>());
    if fast < MIN_KEPT || fast == taken {
        return processes.iter().zip(counts).map(|(p, k)| Judged { used: p.samples.to_vec(), set_aside: 0, fast: Some(k) }).collect();
    }
    processes
        .iter()
        .zip(&flags)
        .map(|(p, f)| {
            let used: Vec<f64> = p.samples.iter().zip(f).filter(|(_, k)| **k).map(|(s, _)| *s).collect();
            Judged { set_aside: p.samples.len() - used.len(), fast: Some(used.len()), used }
        })
        .collect()
}

/// The row's slowest state relative to the fast one: the median of its readings over the
/// fast state (about 1 in the fast state, 1.9 in the next).
pub fn slow_ratio(after: &[f64], fast: f64) -> Option<f64> {
    if after.is_empty() || !(fast > 0.0) {
        return None;
    }
    let mut v: Vec<f64> = after.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2] / fast)
}

/// What the slower state did to a row that keeps every sample ([`slow_kept`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlowKept {
    /// Fewer than [`MIN_KEPT`] fast samples; its median reading is `ratio` times the fast one.
    Throughout { ratio: f64 },
    /// `slow` of its `samples` were slow, and its mean reads `move_pct` percent above that of
    /// the others.
    Partly { slow: usize, samples: usize, move_pct: f64 },
}

/// What the slower state did to a row that keeps every sample (a Go row whose calls make
/// work for the collector: docs/hosts.md), its samples judged as [`fast_samples`] judges
/// them against `fast`, the fastest reading of its host. `None` when no sample was slow, or
/// the readings do not fit the samples.
pub fn slow_kept(samples: &[f64], before: f64, after: &[f64], fast: f64) -> Option<SlowKept> {
    let flags = fast_samples(before, after, fast);
    if samples.is_empty() || flags.len() != samples.len() {
        return None;
    }
    let used: Vec<f64> = samples.iter().zip(&flags).filter(|(_, f)| **f).map(|(s, _)| *s).collect();
    if used.len() == samples.len() {
        return None;
    }
    if used.len() < MIN_KEPT {
        return slow_ratio(after, fast).filter(|r| *r > 1.0 + STATE_TOL).map(|ratio| SlowKept::Throughout { ratio });
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let move_pct = 100.0 * (mean(samples) / mean(&used) - 1.0);
    Some(SlowKept::Partly { slow: samples.len() - used.len(), samples: samples.len(), move_pct })
}

/// Of a row's attempts (a Go row whose calls make work for the collector, measured again in
/// a later worker process because a slow stretch of the machine covered it: docs/hosts.md),
/// the one whose samples were least in a slower state: the smallest share of slow samples
/// ([`fast_samples`] against `fast`, the host's fastest reading), the earliest on a tie.
/// Each attempt keeps every sample, so the row takes one of them whole rather than pooling
/// them. `None` when no attempt has readings covering its samples.
pub fn least_slow(attempts: &[Process<'_>], fast: f64) -> Option<usize> {
    let share = |p: &Process<'_>| -> Option<f64> {
        let flags = fast_samples(p.before?, p.after, fast);
        (!p.samples.is_empty() && flags.len() == p.samples.len())
            .then(|| flags.iter().filter(|f| !**f).count() as f64 / flags.len() as f64)
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in attempts.iter().enumerate().filter_map(|(i, p)| Some((i, share(p)?))) {
        if best.is_none_or(|(_, b)| s < b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// A row that keeps every sample is measured again when at least this share of its samples
/// were taken in a slower state and they moved it beyond its interval (a stretch of the
/// machine's slow state covered it): a few slow readings are as often the row's own
/// collections, read on the other core, as the machine's state.
pub const REMEASURE_SLOW_SHARE: f64 = 0.25;

/// Whether what the slower state did to a row that keeps every sample ([`slow_kept`]) is a
/// reason to measure it again: wholly slow, or [`REMEASURE_SLOW_SHARE`] of its samples slow
/// and its mean moved more than `half_width_pct`, its interval's half-width.
pub fn worth_remeasuring(kept: &SlowKept, half_width_pct: f64) -> bool {
    match *kept {
        SlowKept::Throughout { .. } => true,
        SlowKept::Partly { slow, samples, move_pct } => {
            samples > 0 && slow as f64 >= REMEASURE_SLOW_SHARE * samples as f64 && move_pct > half_width_pct
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_slow_state_did_to_a_row_that_keeps_every_sample() {
        // The readings after the 3rd and 4th samples are slow (1.9x), so those two and the 5th
        // (the reading before it is slow) are slow samples: the mean of all eight is
        // (6 x 10 + 2 x 19) / 8 = 12.25, 22.5% above the five fast samples' 10.
        let samples = [10.0, 10.0, 19.0, 19.0, 10.0, 10.0, 10.0, 10.0];
        let after = [100.0, 100.0, 190.0, 190.0, 100.0, 100.0, 100.0, 100.0];
        let Some(SlowKept::Partly { slow, samples: n, move_pct }) = slow_kept(&samples, 100.0, &after, 100.0) else { panic!() };
        assert_eq!((slow, n), (3, 8));
        assert!((move_pct - 100.0 * (12.25 / 10.0 - 1.0)).abs() < 1e-9, "{move_pct}");
        // Every sample fast: nothing to say; every one slow: the ratio of the median reading.
        assert_eq!(slow_kept(&samples, 100.0, &[100.0; 8], 100.0), None);
        assert_eq!(slow_kept(&samples, 190.0, &[190.0; 8], 100.0), Some(SlowKept::Throughout { ratio: 1.9 }));
        // Readings that do not fit the samples, or no fast reading: nothing.
        assert_eq!(slow_kept(&samples, 100.0, &after[..4], 100.0), None);
        assert_eq!(slow_kept(&samples, 100.0, &after, 0.0), None);
    }

    #[test]
    fn a_sample_counts_when_the_readings_on_both_sides_are_fast() {
        // Fast 100: readings after samples 0..5; the slow reading after sample 2 spoils
        // samples 2 and 3 (it is after the one and before the other).
        let f = fast_samples(101.0, &[100.0, 102.0, 190.0, 101.0, 100.0], 100.0);
        assert_eq!(f, vec![true, true, false, false, true]);
        assert_eq!(fast_samples(190.0, &[100.0], 100.0), vec![false], "the reading before the first sample counts");
        assert!(fast_samples(100.0, &[100.0], 0.0).is_empty());
    }

    #[test]
    fn slow_samples_are_set_aside_only_when_enough_fast_ones_remain() {
        let samples = [10.0, 10.0, 19.0, 19.0, 10.0, 10.0, 10.0, 10.0];
        let after = [100.0, 100.0, 190.0, 100.0, 100.0, 100.0, 100.0, 100.0];
        let j = judge(&samples, Some(100.0), &after, Some(100.0));
        assert_eq!((j.used, j.set_aside, j.fast), (vec![10.0; 6], 2, Some(6)));
        // Too few fast samples: the row keeps all of them.
        let slow = [190.0; 8];
        assert_eq!(judge(&samples, Some(190.0), &slow, Some(100.0)), Judged { used: samples.to_vec(), set_aside: 0, fast: Some(0) });
        // No readings (older files, fixed-count runs), or readings that do not cover the samples.
        assert_eq!(judge(&samples, None, &[], None), Judged { used: samples.to_vec(), set_aside: 0, fast: None });
        assert_eq!(judge(&samples, Some(100.0), &after[..3], Some(100.0)).fast, None);
    }

    #[test]
    fn a_row_judged_across_its_processes_drops_a_process_measured_wholly_slow() {
        const FAST_AFTER: &[f64] = &[100.0; 4];
        const SLOW_AFTER: &[f64] = &[190.0; 4];
        let (fast_after, slow_after) = (FAST_AFTER, SLOW_AFTER);
        let p = |samples: &'static [f64], after: &'static [f64]| Process { samples, before: Some(after[0]), after, fast: Some(100.0) };
        // Two processes in the fast state (4 + 4 samples), one wholly slow: judged one by
        // one, the slow one keeps its four slow samples (fewer than MIN_KEPT fast); together,
        // the row has 8 fast ones, and the slow process's are set aside.
        let procs = [p(&[10.0; 4], fast_after), p(&[19.0; 4], slow_after), p(&[10.0; 4], fast_after)];
        let alone: Vec<Judged> = procs.iter().map(|p| judge(p.samples, p.before, p.after, p.fast)).collect();
        assert_eq!(alone[1].used, vec![19.0; 4]);
        let together = judge_processes(&procs);
        assert_eq!(together.iter().map(|j| j.used.len()).collect::<Vec<_>>(), vec![4, 0, 4]);
        assert_eq!(together.iter().map(|j| j.set_aside).sum::<usize>(), 4);
        assert_eq!(together[1].fast, Some(0));
        // Fewer than MIN_KEPT fast samples in the whole row: every sample counts.
        let few = [p(&[10.0; 2], &fast_after[..2]), p(&[19.0; 4], slow_after), p(&[10.0; 2], &fast_after[..2])];
        assert!(judge_processes(&few).iter().all(|j| j.set_aside == 0 && !j.used.is_empty()));
        // A process without readings (an older file): each is judged on its own, as before.
        let bare = Process { samples: &[19.0; 4], before: None, after: &[], fast: None };
        let mixed = [procs[0], bare, procs[2]];
        assert_eq!(judge_processes(&mixed)[1].used, vec![19.0; 4]);
    }

    #[test]
    fn a_row_measured_again_takes_its_attempt_least_in_the_slow_state() {
        let p = |samples: &'static [f64], after: &'static [f64]| Process { samples, before: Some(after[0]), after, fast: None };
        const HALF: &[f64] = &[100.0, 100.0, 190.0, 190.0];
        const QUARTER: &[f64] = &[100.0, 100.0, 100.0, 190.0];
        const SLOW: &[f64] = &[190.0; 4];
        // Slow shares 2/4, 1/4 and 4/4 (a sample is slow when the reading on either side
        // of it is): the second attempt.
        let attempts = [p(&[19.0; 4], HALF), p(&[10.0; 4], QUARTER), p(&[19.0; 4], SLOW)];
        assert_eq!(least_slow(&attempts, 100.0), Some(1));
        // A tie goes to the earliest; an attempt without readings is not judged.
        assert_eq!(least_slow(&[attempts[1], attempts[1]], 100.0), Some(0));
        let bare = Process { samples: &[10.0; 4], before: None, after: &[], fast: None };
        assert_eq!(least_slow(&[bare, attempts[2]], 100.0), Some(1));
        assert_eq!(least_slow(&[bare], 100.0), None);
        // Worth measuring again: wholly slow, or a quarter slow and moved beyond the interval.
        assert!(worth_remeasuring(&SlowKept::Throughout { ratio: 1.9 }, 1.0));
        assert!(worth_remeasuring(&SlowKept::Partly { slow: 25, samples: 100, move_pct: 8.0 }, 2.0));
        assert!(!worth_remeasuring(&SlowKept::Partly { slow: 24, samples: 100, move_pct: 8.0 }, 2.0), "a few slow readings");
        assert!(!worth_remeasuring(&SlowKept::Partly { slow: 50, samples: 100, move_pct: 1.5 }, 2.0), "within its interval");
    }

    #[test]
    fn slow_ratio_is_the_median_reading_over_the_fast_state() {
        assert_eq!(slow_ratio(&[190.0, 190.0, 100.0], 100.0), Some(1.9));
        assert_eq!(slow_ratio(&[], 100.0), None);
    }
}
