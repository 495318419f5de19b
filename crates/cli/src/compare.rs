//! `interop-bench compare OLD NEW`: did it get faster or slower? (The work is in
//! interop_core::compare; this loads the files, prints, and turns the gate into an exit code.)

use anyhow::{anyhow, Result};
use clap::Args;
use interop_core::compare::{compare as compare_files, Comparison, Options};
use crate::baseline::history_dir;
use interop_core::compare::RowChange;
use interop_core::merge::{load_runs, section_heading};
use interop_core::noise::{gate_noise_pct, machine_allowance_pct, regressions_beyond_row_noise, row_noise, runs_noise, EngineSpread, History, NoiseSource};
use interop_core::results::{Failure, ResultRow, ResultsFile, RowKey};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct CompareArgs {
    /// The results file before the change, or the name of a baseline saved with
    /// `run --save-baseline NAME` (with --baseline: the file after the change).
    pub old: PathBuf,
    /// The results file after the change.
    pub new: Option<PathBuf>,
    /// Compare NEW (the one file given) against this saved baseline (results/baselines/NAME.json).
    #[arg(long, value_name = "NAME", value_parser = crate::baseline::name)]
    pub baseline: Option<String>,
    /// Gate on a --quick run anyway (refused otherwise: its few short samples make
    /// back-to-back runs of one build differ beyond the noise).
    #[arg(long)]
    pub force: bool,
    /// Exit with status 1 when a row got slower by more than this many percent plus that
    /// row's run-to-run noise, and the change is beyond the noise (for CI gates). A row's
    /// noise: the spread of its mean over the earlier runs kept beside OLD (`run
    /// --save-baseline` keeps the last 5 in results/baselines/NAME.history/), but never less
    /// than the noise the two runs measured on their machine, nor than the row's own move
    /// between the halves of its samples, nor than how far apart its worker processes, those of
    /// 90% of its engine's rows, or those of 90% of its scenario's rows on that engine lay.
    /// The gate also fails when no row could be compared, and when a row measured in OLD
    /// failed in NEW.
    #[arg(long, value_name = "PCT", value_parser = crate::cli::fail_above_pct)]
    pub fail_above: Option<f64>,
    /// When both files have instruction counts (`run --counts`): exit with status 1 when a
    /// counted row's instructions per op grew by more than this many percent. Counted rows
    /// never fail on time.
    #[arg(long, value_name = "PCT", default_value_t = 1.0, value_parser = crate::cli::fail_above_pct)]
    pub instructions_above: f64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CompareFormat::Terminal)]
    pub format: CompareFormat,
    /// Write the comparison to this file instead of stdout (the gate's notes stay on stderr).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `compare --format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareFormat {
    /// A table for a person.
    #[value(alias = "text")]
    Terminal,
    /// A table to paste into a pull request.
    #[value(alias = "md")]
    Markdown,
    /// Every compared row with its change and interval.
    Json,
}

impl CompareFormat {
    pub fn name(self) -> &'static str {
        match self {
            CompareFormat::Terminal => "terminal",
            CompareFormat::Markdown => "markdown",
            CompareFormat::Json => "json",
        }
    }
}

/// The comparisons (one per machine both files have; one when each file is a single run),
/// their rendering (stdout), their notes (stderr), and whether the `--fail-above` gate is
/// crossed.
pub fn run_compare(a: &CompareArgs) -> Result<(Vec<Comparison>, String, String, bool)> {
    if let Some(p) = a.fail_above {
        if !(p.is_finite() && p >= 0.0) {
            return Err(anyhow!("--fail-above takes a percentage of zero or more, not {p}"));
        }
    }
    let (old_path, new_path) = crate::baseline::resolve(a.baseline.as_deref(), &a.old, a.new.as_deref())?;
    let (old_runs, new_runs) = (load_runs(&old_path)?, load_runs(&new_path)?);
    if a.fail_above.is_some() && !a.force {
        for old in &old_runs {
            refuse_quick_gate(&[("OLD", &old_path, old)])?;
        }
        for new in &new_runs {
            refuse_quick_gate(&[("NEW", &new_path, new)])?;
        }
    }
    let mut history_notes = String::new();
    let history = if a.fail_above.is_some() { load_history(&old_path, &mut history_notes) } else { Vec::new() };
    let (cmps, out, notes, failed) = if let ([old], [new]) = (old_runs.as_slice(), new_runs.as_slice()) {
        let (cmp, out, notes, failed) = compare_pair(a, &old_path, &new_path, old, new, &history)?;
        (vec![cmp], out, notes, failed)
    } else {
        compare_machines(a, &old_path, &new_path, &old_runs, &new_runs, &history)?
    };
    Ok((cmps, out, history_notes + &notes, failed))
}

/// OLD and NEW with runs from several machines (`merge`): each machine of OLD compared with
/// the run of the same fingerprint in NEW, one section per machine. With the gate, a
/// machine of OLD that NEW lacks fails it (a CI job whose results went missing).
fn compare_machines(
    a: &CompareArgs,
    old_path: &Path,
    new_path: &Path,
    old_runs: &[ResultsFile],
    new_runs: &[ResultsFile],
    history: &[ResultsFile],
) -> Result<(Vec<Comparison>, String, String, bool)> {
    let markdown = a.format == CompareFormat::Markdown;
    let json = a.format == CompareFormat::Json;
    let (mut cmps, mut out, mut notes, mut failed) = (Vec::new(), String::new(), String::new(), false);
    let mut sections = Vec::new();
    let pairs: Vec<(&ResultsFile, &ResultsFile)> = old_runs
        .iter()
        .filter_map(|o| new_runs.iter().find(|n| n.machine.fingerprint == o.machine.fingerprint).map(|n| (o, n)))
        .collect();
    for (i, (o, n)) in pairs.iter().enumerate() {
        let (cmp, text, note, f) = compare_pair(a, old_path, new_path, o, n, history)?;
        failed |= f;
        if json {
            sections.push(serde_json::json!({ "machine": o.machine, "comparison": cmp }));
        } else {
            out.push_str(&section_heading(i, pairs.len(), o, markdown));
            out.push_str(&text);
        }
        if !note.is_empty() {
            notes.push_str(&format!("machine {}:\n{note}", o.machine.fingerprint));
        }
        cmps.push(cmp);
    }
    for (label, runs, other, path) in [("OLD", old_runs, new_runs, new_path), ("NEW", new_runs, old_runs, old_path)] {
        for r in runs.iter().filter(|r| !other.iter().any(|x| x.machine.fingerprint == r.machine.fingerprint)) {
            notes.push_str(&format!(
                "interop-bench: machine {} of {label} has no run in {}: not compared\n",
                r.machine.title(),
                path.display()
            ));
            if label == "OLD" && a.fail_above.is_some() {
                failed = true;
            }
        }
    }
    if pairs.is_empty() && a.fail_above.is_some() {
        failed = true;
        notes.push_str("interop-bench: no machine of OLD has a run in NEW (by fingerprint): nothing was compared, so the gate cannot pass\n");
    }
    if json {
        out = serde_json::to_string_pretty(&serde_json::json!({ "machines": sections }))? + "\n";
    }
    Ok((cmps, out, notes, failed))
}

/// One run of OLD against one run of NEW (one machine each): the comparison, its rendering,
/// its notes, and whether the gate is crossed.
fn compare_pair(
    a: &CompareArgs,
    old_path: &Path,
    new_path: &Path,
    old: &ResultsFile,
    new: &ResultsFile,
    history: &[ResultsFile],
) -> Result<(Comparison, String, String, bool)> {
    let (old_path, new_path) = (old_path.to_path_buf(), new_path.to_path_buf());
    let cmp = compare_files(old, new, Options::default());
    let newly_failed = newly_failed(&cmp, new);
    let rendered = cmp.render(a.format.name()).ok_or_else(|| anyhow!("no renderer for `{}`", a.format.name()))?;
    let mut notes = rendered.notes;
    let mut failed = false;
    if !newly_failed.is_empty() {
        notes.push_str(&format!(
            "interop-bench: {} row(s) measured in {} failed in {}:\n",
            newly_failed.len(),
            old_path.display(),
            new_path.display()
        ));
        for (k, f) in &newly_failed {
            notes.push_str(&format!(
                "  {}: {}\n",
                k.label(),
                crate::orchestrate::one_line(&f.error)
            ));
        }
    }
    if !old.counts.is_empty() && !new.counts.is_empty() {
        let pct = a.instructions_above;
        if cmp.counts.is_empty() {
            failed = true;
            notes.push_str(&format!(
                "interop-bench: both files have instruction counts, but no counted row of {} matches one of {}: the gate cannot pass\n",
                new_path.display(),
                old_path.display()
            ));
        }
        let bad = cmp.count_regressions_above(pct);
        if !bad.is_empty() {
            failed = true;
            notes.push_str(&format!("interop-bench: {} row(s) grew by more than {pct}% in instructions per op:\n", bad.len()));
            for c in bad {
                notes.push_str(&format!(
                    "  {}: {} → {} instructions/op ({:+.2}%)\n",
                    c.key.label(),
                    interop_core::counts::instr(c.old_instructions),
                    interop_core::counts::instr(c.new_instructions),
                    c.change_pct
                ));
            }
        }
    }
    if let Some(pct) = a.fail_above {
        if cmp.rows.is_empty() && cmp.counts.is_empty() {
            failed = true;
            notes.push_str(&format!(
                "interop-bench: no row of {} matches a row of {} (host, runtime, API, scenario, parameters): \
                 nothing was compared, so the gate cannot pass\n",
                new_path.display(),
                old_path.display()
            ));
        }
        if !newly_failed.is_empty() {
            failed = true;
        }
        let reference = gate_noise_pct(old.derived.noise_pct, new.derived.noise_pct);
        // The earlier runs of this machine kept beside OLD, measured the same way.
        let same: Vec<&ResultsFile> = history
            .iter()
            .filter(|h| h.machine.fingerprint == old.machine.fingerprint && h.config.mode == old.config.mode)
            .collect();
        let hist = (same.len() >= 2).then(|| History::of(same.iter().copied()));
        notes.push_str(&gate_basis(pct, reference, old, new, hist.as_ref(), &history_dir(&old_path)));
        let (olds, news): (BTreeMap<&RowKey, &ResultRow>, BTreeMap<&RowKey, &ResultRow>) =
            (old.results.iter().map(|r| (&r.key, r)).collect(), new.results.iter().map(|r| (&r.key, r)).collect());
        // How far the worker processes of each engine's rows lay apart, in OLD or NEW.
        let engines = EngineSpread::of([old, new]);
        // Where that allowance is larger than the threshold the gate is blind below it: said,
        // with the remedy (counts do not move with the machine).
        let blind = engines.above(pct);
        if !blind.is_empty() {
            let list: Vec<String> = blind.iter().map(|(h, r, s)| format!("{h} {r} {s:.0}%")).collect();
            notes.push_str(&format!(
                "interop-bench: gate: {} engine(s) had the worker processes of 10% of their rows or more lie over {pct}% \
                 apart, and every row of theirs is allowed that spread, so it fails only beyond {pct}% + that much and \
                 smaller slowdowns there pass unseen: {}. Quiet the machine, or gate the seed's cases on instructions per \
                 op, which do not move with it (`run --counts` for both builds; `compare` gates counted rows with \
                 `--instructions-above`)\n",
                blind.len(),
                list.join(", ")
            ));
        }
        // The same for scenarios allowed more than their engine.
        let blind = engines.scenarios_above(pct);
        if !blind.is_empty() {
            const SHOWN: usize = 8;
            let list: Vec<String> = blind.iter().map(|(h, r, sc, s)| format!("{h} {r} {sc} {s:.0}%")).collect();
            notes.push_str(&format!(
                "interop-bench: gate: {} scenario(s) had the worker processes of 10% of their rows on an engine or more lie \
                 further apart than those of the engine's rows, and over {pct}%; their rows, which run the same code, are \
                 allowed that spread: {}\n",
                blind.len(),
                interop_core::export::notes::first_of(&list, SHOWN)
            ));
        }
        let noise_of = |c: &RowChange| match (olds.get(&c.key), news.get(&c.key)) {
            (Some(o), Some(n)) => row_noise(o, n, hist.as_ref(), reference, engines.spread(&c.key)),
            _ => (reference, NoiseSource::Reference),
        };
        let bad = regressions_beyond_row_noise(&cmp, pct, |c| noise_of(c).0);
        // Rows let pass only because the machine's speed around them moved as much: said.
        let runs_only = |c: &RowChange| match (olds.get(&c.key), news.get(&c.key)) {
            (Some(o), Some(n)) => runs_noise(o, n, hist.as_ref(), reference, engines.spread(&c.key)).0,
            _ => reference,
        };
        let masked: Vec<(&RowChange, f64)> = regressions_beyond_row_noise(&cmp, pct, runs_only)
            .into_iter()
            .filter(|(c, _)| !bad.iter().any(|(b, _)| b.key == c.key))
            .filter_map(|(c, _)| Some((c, machine_allowance_pct(olds.get(&c.key)?, news.get(&c.key)?, hist.as_ref())?)))
            .collect();
        if !masked.is_empty() {
            notes.push_str(&format!(
                "interop-bench: {} row(s) got slower by more than {pct}% + their run-to-run noise while the machine's own \
                 speed around them moved as much (its reference loop, timed before, between and after their samples), so they do not \
                 fail the gate; rerun them to tell a change from the machine's:\n",
                masked.len()
            ));
            for (c, m) in masked {
                let how = match noise_of(c).1 {
                    NoiseSource::MachineMean => format!("the machine's mean state {m:.1}% slower, compounded with its own noise"),
                    _ => format!("the machine {m:.1}%"),
                };
                notes.push_str(&format!("  {}: {:+.1}%, {how}\n", c.key.label(), c.change_pct));
            }
        }
        if !bad.is_empty() {
            failed = true;
            notes.push_str(&format!(
                "interop-bench: {} row(s) got slower by more than {pct}% + their run-to-run noise, beyond the noise:\n",
                bad.len()
            ));
            for (c, noise) in bad {
                let from = match noise_of(c).1 {
                    NoiseSource::History(n) => format!("its spread over {n} saved runs"),
                    NoiseSource::WithinRun => "its move within a run".into(),
                    NoiseSource::Reference => "the reference rows' move".into(),
                    NoiseSource::Processes => "how far its worker processes lay apart".into(),
                    NoiseSource::Engine => format!(
                        "how far the worker processes of its engine's rows lay apart, {:.0}% of them",
                        interop_core::noise::ENGINE_SPREAD_QUANTILE * 100.0
                    ),
                    NoiseSource::Scenario => format!(
                        "how far the worker processes of its scenario's rows on its engine lay apart, {:.0}% of them",
                        interop_core::noise::ENGINE_SPREAD_QUANTILE * 100.0
                    ),
                    NoiseSource::Machine => "the machine's speed around it moved as much".into(),
                    NoiseSource::MachineMean => format!(
                        "its own run-to-run noise, compounded with the machine's mean speed during its samples, {:.1}% slower",
                        olds.get(&c.key).zip(news.get(&c.key)).and_then(|(o, n)| machine_allowance_pct(o, n, hist.as_ref())).unwrap_or(0.0)
                    ),
                };
                notes.push_str(&format!(
                    "  {}: {:+.1}% (95% CI {:+.1}% … {:+.1}%), allowed {pct}% + {noise:.1}% ({from})\n",
                    c.key.label(),
                    c.change_pct,
                    c.ci_low_pct,
                    c.ci_high_pct
                ));
            }
        }
    }
    Ok((cmp, rendered.output, notes, failed))
}

/// `compare --fail-above` on a --quick run is refused unless forced, with the reason.
fn refuse_quick_gate(files: &[(&str, &std::path::Path, &ResultsFile)]) -> Result<()> {
    for (label, path, f) in files {
        if f.config.mode == "quick" {
            return Err(anyhow!(
                "{label} ({}) is a --quick run ({} samples of {} ms a row): too few and too short to gate on, since \
                 back-to-back quick runs of the same build differ beyond the noise in many rows and the gate would fail \
                 at random; gate on default runs, or pass --force to gate on it anyway",
                path.display(),
                f.config.samples,
                f.config.target_sample_ms
            ));
        }
    }
    Ok(())
}

/// What the gate allows for, in a line or two.
fn gate_basis(pct: f64, noise: f64, old: &ResultsFile, new: &ResultsFile, hist: Option<&History>, dir: &Path) -> String {
    let one = |f: &ResultsFile| f.derived.noise_pct.map(|n| format!("{n:.1}%")).unwrap_or_else(|| "not recorded".into());
    let history = match hist {
        Some(h) => format!("the spread of its mean over the {} saved runs in {}, but at least ", h.runs, dir.display()),
        None => String::new(),
    };
    format!(
        "interop-bench: gate: a row fails when slower by more than {pct}% + its run-to-run noise: {history}{noise:.1}% run-to-run noise \
         (the reference rows moved {} in OLD, {} in NEW between the start and the end of the run); never less than the row's \
         own move between the halves of its samples, nor than how far its own worker processes, or those of {:.0}% of its \
         engine's rows, or of its scenario's rows on that engine, lay apart{}\n",
        one(old),
        one(new),
        interop_core::noise::ENGINE_SPREAD_QUANTILE * 100.0,
        if hist.is_none() { " (save baselines with `run --save-baseline NAME` to give each row its own history)" } else { "" }
    )
}

/// The earlier runs kept beside OLD (`X.history/` beside `X.json`; `run --save-baseline`
/// fills it), each machine's run of each; unreadable ones are skipped with a note.
fn load_history(old: &Path, notes: &mut String) -> Vec<ResultsFile> {
    let mut runs = Vec::new();
    for f in crate::baseline::history_files(&history_dir(old)) {
        match load_runs(&f) {
            Ok(r) => runs.extend(r),
            Err(e) => notes.push_str(&format!("interop-bench: history: skipped {e}\n")),
        }
    }
    runs
}

/// Rows of OLD that NEW did not measure because they failed there (the failure's host,
/// runtime and scenario match, and its API and parameters when it names them).
fn newly_failed<'a>(cmp: &'a Comparison, new: &'a ResultsFile) -> Vec<(&'a RowKey, &'a Failure)> {
    cmp.only_old
        .iter()
        .filter_map(|k| {
            new.failures
                .iter()
                .filter(|f| f.is_failure())
                .find(|f| {
                    f.host == k.host
                        && f.runtime == k.runtime
                        && f.scenario == k.scenario
                        && (f.api.is_empty() || f.api == k.api)
                        && (f.params.is_empty() || f.params == k.params)
                })
                .map(|f| (k, f))
        })
        .collect()
}

pub fn compare(a: CompareArgs) -> Result<ExitCode> {
    let (_, output, notes, failed) = run_compare(&a)?;
    crate::report::write_output(a.output.as_deref(), &output)?;
    eprint!("{notes}");
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/quick-rust.json")
    }

    fn slowed(factor: f64) -> tempfile::TempPath {
        let text = std::fs::read_to_string(fixture()).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for row in v["results"].as_array_mut().unwrap() {
            for s in row["sample_ns_per_op"].as_array_mut().unwrap() {
                *s = serde_json::json!(s.as_f64().unwrap() * factor);
            }
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), serde_json::to_string(&v).unwrap()).unwrap();
        f.into_temp_path()
    }

    fn args(old: PathBuf, new: PathBuf, fail_above: Option<f64>) -> CompareArgs {
        // The fixture is a --quick run: these tests gate on it on purpose.
        CompareArgs { old, new: Some(new), baseline: None, force: true, fail_above, instructions_above: 1.0, format: CompareFormat::Terminal, output: None }
    }

    #[test]
    fn a_quick_run_is_no_gate_basis_unless_forced() {
        let mut a = args(fixture(), fixture(), Some(10.0));
        a.force = false;
        let e = run_compare(&a).err().expect("a quick run as a gate basis is refused");
        let text = e.to_string();
        assert!(text.contains("--quick") && text.contains("--force") && text.contains("quick-rust.json"), "{text}");
        // Without a gate, comparing quick runs is fine.
        a.fail_above = None;
        assert!(run_compare(&a).is_ok());
    }

    #[test]
    fn the_gate_allows_for_the_noise_each_run_recorded() {
        // Both runs recorded 30% noise: a 20% slowdown is within it, a 2x one is not.
        let noisy = |factor: f64| {
            let text = std::fs::read_to_string(fixture()).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let row = v["results"][0].clone();
            let mut end = row.clone();
            for s in end["sample_ns_per_op"].as_array_mut().unwrap() {
                *s = serde_json::json!(s.as_f64().unwrap() * 1.3);
            }
            v["noise"] = serde_json::json!({"start": [row], "end": [end]});
            for row in v["results"].as_array_mut().unwrap() {
                for s in row["sample_ns_per_op"].as_array_mut().unwrap() {
                    *s = serde_json::json!(s.as_f64().unwrap() * factor);
                }
            }
            let f = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(f.path(), serde_json::to_string(&v).unwrap()).unwrap();
            f.into_temp_path()
        };
        let (old, a_bit, twice) = (noisy(1.0), noisy(1.2), noisy(2.0));
        let (_, _, notes, failed) = run_compare(&args(old.to_path_buf(), a_bit.to_path_buf(), Some(5.0))).unwrap();
        assert!(!failed, "{notes}");
        assert!(notes.contains("30.0% run-to-run noise"), "{notes}");
        let (_, _, notes, failed) = run_compare(&args(old.to_path_buf(), twice.to_path_buf(), Some(5.0))).unwrap();
        assert!(failed, "{notes}");
        // Without a noise record (the fixture), the same 20% fails a 5% gate.
        let plain = slowed(1.2);
        let (_, _, notes, failed) = run_compare(&args(fixture(), plain.to_path_buf(), Some(5.0))).unwrap();
        assert!(failed && notes.contains("not recorded"), "{notes}");
    }

    /// `v` written as `name` under `dir` (its folders made), for a test's results files.
    fn write_json(dir: &Path, name: &str, v: &serde_json::Value) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
        p
    }

    /// synthetic.json (12 steady samples a row, no noise record) with the samples of the
    /// rows of `scenario` multiplied by `factor`.
    fn synthetic(scenario: &str, factor: f64) -> serde_json::Value {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/synthetic.json");
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        for row in v["results"].as_array_mut().unwrap().iter_mut().filter(|r| r["scenario"] == scenario) {
            for s in row["sample_ns_per_op"].as_array_mut().unwrap() {
                *s = serde_json::json!(s.as_f64().unwrap() * factor);
            }
        }
        v
    }

    #[test]
    fn a_row_measured_while_the_machine_was_slower_passes_and_is_listed_to_rerun() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, v: &serde_json::Value| write_json(dir.path(), name, v);
        // add rows 30% slower in NEW; every row's machine reference 400 ns in OLD, and in NEW
        // 600 ns around the add rows (the machine 50% slower there), 400 elsewhere.
        let with_machine = |mut v: serde_json::Value, slow_machine: bool| {
            for row in v["results"].as_array_mut().unwrap() {
                let m = if slow_machine && row["scenario"] == "add" { 600.0 } else { 400.0 };
                row["machine_ref_ns"] = serde_json::json!([m, m]);
            }
            v
        };
        let old = write("old.json", &with_machine(synthetic("add", 1.0), false));
        let moved = write("moved.json", &with_machine(synthetic("add", 1.3), true));
        let (_, _, notes, failed) = run_compare(&args(old.clone(), moved, Some(5.0))).unwrap();
        assert!(!failed, "{notes}");
        assert!(notes.contains("the machine's own speed around them moved as much") && notes.contains("the machine 50.0%"), "{notes}");
        // The same slowdown while the machine stood still fails.
        let still = write("still.json", &with_machine(synthetic("add", 1.3), false));
        let (_, _, notes, failed) = run_compare(&args(old, still, Some(5.0))).unwrap();
        assert!(failed && !notes.contains("moved as much"), "{notes}");
    }

    #[test]
    fn each_row_is_allowed_its_own_spread_over_the_saved_runs() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, v: &serde_json::Value| write_json(dir.path(), name, v);
        let old = write("main.json", &synthetic("add", 1.0));
        // add rows 30% slower; noop rows 30% slower in another file.
        let add_slower = write("add.json", &synthetic("add", 1.3));
        let noop_slower = write("noop.json", &synthetic("noop", 1.3));
        // Without a history, both fail a 5% gate (no noise record, steady samples).
        for new in [&add_slower, &noop_slower] {
            let (_, _, notes, failed) = run_compare(&args(old.clone(), new.clone(), Some(5.0))).unwrap();
            assert!(failed, "{notes}");
        }
        // Saved runs in which add moved by 40% and noop did not move.
        for (i, f) in [1.0, 1.4, 1.2].into_iter().enumerate() {
            write(&format!("main.history/{i}.json"), &synthetic("add", f));
        }
        let (_, _, notes, failed) = run_compare(&args(old.clone(), add_slower, Some(5.0))).unwrap();
        assert!(!failed, "add moves 40% from run to run: a 30% change is within it\n{notes}");
        assert!(notes.contains("3 saved runs"), "{notes}");
        let (_, _, notes, failed) = run_compare(&args(old.clone(), noop_slower, Some(5.0))).unwrap();
        assert!(failed, "noop never moved: 30% is a regression\n{notes}");
        let named: Vec<&str> = notes.lines().filter(|l| l.starts_with("  rust ") || l.starts_with("  go ")).collect();
        assert!(!named.is_empty() && named.iter().all(|l| l.contains(" noop")), "{notes}");
    }

    #[test]
    fn a_row_saved_runs_know_is_allowed_the_machines_mean_move_not_its_slowest_reading() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, v: &serde_json::Value| write_json(dir.path(), name, v);
        // Every row's samples all count (no fast state recorded, as the Go host's rows whose
        // calls allocate), the machine read before, after and after each of its 12 samples:
        // 400 ns a pass, but for `slow` around the add rows (one reading, or all of them).
        let machine = |mut v: serde_json::Value, slow: f64, all: bool| {
            for row in v["results"].as_array_mut().unwrap() {
                let m = if row["scenario"] == "add" { slow } else { 400.0 };
                let mut each = vec![if all { m } else { 400.0 }; 12];
                each[11] = m;
                row["machine_ref_ns"] = serde_json::json!([400.0, m]);
                row["sample_machine_ns"] = serde_json::json!(each);
            }
            v
        };
        let old = write("main.json", &machine(synthetic("add", 1.0), 400.0, false));
        // add 50% slower, the machine slower for one reading of NEW's (700: a 75% move).
        let slowed = write("slowed.json", &machine(synthetic("add", 1.5), 700.0, false));
        let (_, _, notes, failed) = run_compare(&args(old.clone(), slowed.clone(), Some(5.0))).unwrap();
        assert!(!failed && notes.contains("the machine 75.0%"), "no history: the largest move lets it pass\n{notes}");
        // Three saved runs within 2% of each other: the machine's mean state moved 6.25%.
        for (i, f) in [1.0, 1.02, 1.01].into_iter().enumerate() {
            write(&format!("main.history/{i}.json"), &machine(synthetic("add", f), 400.0, false));
        }
        let (_, _, notes, failed) = run_compare(&args(old.clone(), slowed, Some(5.0))).unwrap();
        assert!(failed && notes.contains("compounded with the machine's mean speed during its samples, 6.2% slower"), "{notes}");
        // 30% slower while the machine's mean state was 30% slower: its own 2% and the
        // machine's 30% compound to 32.6%, and the row passes, said.
        let busy = write("busy.json", &machine(synthetic("add", 1.3), 520.0, true));
        let (_, _, notes, failed) = run_compare(&args(old, busy, Some(5.0))).unwrap();
        assert!(!failed && notes.contains("the machine's mean state 30.0% slower, compounded with its own noise"), "{notes}");
    }

    #[test]
    fn saving_a_baseline_keeps_the_last_runs_as_its_history() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("results");
        for _ in 0..crate::baseline::HISTORY_RUNS + 2 {
            crate::baseline::save_in(&root, "main", &fixture()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let hist = crate::baseline::history_files(&root.join("baselines/main.history"));
        assert_eq!(hist.len(), crate::baseline::HISTORY_RUNS);
        // The history folder is not a baseline name.
        let e = crate::baseline::resolve_in(&root, Some("nope"), &fixture(), None).unwrap_err().to_string();
        assert!(e.contains("main") && !e.contains("main.history"), "{e}");
    }

    #[test]
    fn a_baseline_is_found_by_name_or_flag_and_a_wrong_name_lists_the_saved_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("results");
        let saved = crate::baseline::save_in(&root, "main", &fixture());
        let by_name = crate::baseline::resolve_in(&root, None, std::path::Path::new("main"), Some(&fixture()));
        let by_flag = crate::baseline::resolve_in(&root, Some("main"), &fixture(), None);
        let missing = crate::baseline::resolve_in(&root, Some("nope"), &fixture(), None);
        let saved = saved.unwrap();
        assert_eq!(saved, root.join("baselines/main.json"));
        assert_eq!(by_name.unwrap().0, saved);
        assert_eq!(by_flag.unwrap(), (saved, fixture()));
        let e = missing.unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("main"), "{e}");
        assert!(crate::baseline::name("../x").is_err() && crate::baseline::name(".hidden").is_err());
        assert!(crate::baseline::name("pr-123_v1.2").is_ok());
    }

    #[test]
    fn identical_files_pass_the_gate() {
        let (mut cmp, out, _, failed) = run_compare(&args(fixture(), fixture(), Some(10.0))).unwrap();
        let cmp = cmp.remove(0);
        assert!(!failed);
        assert!(cmp.rows.iter().all(|c| !c.significant()));
        assert!(out.contains("0 slower, 0 faster"), "{out}");
    }

    #[test]
    fn a_2x_slowdown_fails_the_gate() {
        let new = slowed(2.0);
        let (mut cmp, _, notes, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        let cmp = cmp.remove(0);
        assert!(failed, "{notes}");
        assert!(notes.contains("got slower by more than 10%"), "{notes}");
        // Every row doubled; a row whose 5 samples spread over 2x may still read as noise.
        assert!(cmp.regressions_above(10.0).len() * 10 >= cmp.rows.len() * 9);
        // Without the gate, the same comparison exits 0.
        let (_, _, _, failed) = run_compare(&args(fixture(), new.to_path_buf(), None)).unwrap();
        assert!(!failed);
    }

    /// The fixture with every row of `scenario` turned into a failure.
    fn failing(scenario: &str) -> tempfile::TempPath {
        let text = std::fs::read_to_string(fixture()).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rows = v["results"].as_array_mut().unwrap();
        let (gone, kept): (Vec<_>, Vec<_>) = rows.drain(..).partition(|r| r["scenario"] == scenario);
        assert!(!gone.is_empty(), "the fixture has no {scenario} row");
        *rows = kept;
        let r = &gone[0];
        v["failures"].as_array_mut().unwrap().push(serde_json::json!({
            "host": r["host"], "runtime": r["runtime"], "scenario": scenario,
            "error": format!("{}: {scenario}: export `add_numbers`: error while executing at wasm backtrace:\n    0: 0x2a\n\nCaused by:\n    wasm trap: wasm `unreachable` instruction executed", r["runtime"].as_str().unwrap()),
            "status": "failed"
        }));
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), serde_json::to_string(&v).unwrap()).unwrap();
        f.into_temp_path()
    }

    /// The fixture's rows moved to another runtime name: nothing in common with it.
    fn renamed() -> tempfile::TempPath {
        let text = std::fs::read_to_string(fixture()).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for row in v["results"].as_array_mut().unwrap() {
            row["runtime"] = serde_json::json!("elsewhere");
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), serde_json::to_string(&v).unwrap()).unwrap();
        f.into_temp_path()
    }

    #[test]
    fn rows_that_newly_fail_fail_the_gate_and_are_named() {
        let new = failing("add");
        let (_, _, notes, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        assert!(failed, "{notes}");
        assert!(notes.contains("failed in"), "{notes}");
        // The whole cause, not the first line of the error.
        assert!(notes.contains("unreachable instruction executed") || notes.contains("`unreachable` instruction executed"), "{notes}");
        // Without the gate they are still named, and the exit status stays 0.
        let (_, _, notes, failed) = run_compare(&args(fixture(), new.to_path_buf(), None)).unwrap();
        assert!(!failed && notes.contains("failed in"), "{notes}");
    }

    #[test]
    fn nothing_compared_fails_the_gate() {
        let new = renamed();
        let (mut cmp, _, notes, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        let cmp = cmp.remove(0);
        assert!(cmp.rows.is_empty());
        assert!(failed, "{notes}");
        assert!(notes.contains("nothing was compared"), "{notes}");
    }

    #[test]
    fn a_gate_above_the_change_passes() {
        let new = slowed(1.05);
        let (_, _, _, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        assert!(!failed);
    }
}
