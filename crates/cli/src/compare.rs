//! `interop-bench compare OLD NEW`: did it get faster or slower? (The work is in
//! interop_core::compare; this loads the files, prints, and turns the gate into an exit code.)

use anyhow::{anyhow, Result};
use clap::Args;
use interop_core::compare::{compare as compare_files, Comparison, Options};
use interop_core::results::ResultsFile;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct CompareArgs {
    /// The results file before the change.
    pub old: PathBuf,
    /// The results file after the change.
    pub new: PathBuf,
    /// Exit with status 1 when a row got slower by more than this many percent and the
    /// change is beyond the noise (for CI gates).
    #[arg(long, value_name = "PCT")]
    pub fail_above: Option<f64>,
    /// Output format: terminal, markdown, json.
    #[arg(long, short, default_value = "terminal")]
    pub format: String,
}

pub const COMPARE_FORMATS: &[&str] = &["terminal", "markdown", "json"];

fn load(path: &std::path::Path) -> Result<ResultsFile> {
    // Loading derives the statistics and the cost model from the raw samples, as in `report`.
    Ok(ResultsFile::load(path)?)
}

/// The comparison, its rendering (stdout), its notes (stderr), and whether the
/// `--fail-above` gate is crossed.
pub fn run_compare(a: &CompareArgs) -> Result<(Comparison, String, String, bool)> {
    if let Some(p) = a.fail_above {
        if !(p.is_finite() && p >= 0.0) {
            return Err(anyhow!("--fail-above takes a percentage of zero or more, not {p}"));
        }
    }
    if !COMPARE_FORMATS.contains(&a.format.as_str()) {
        return Err(anyhow!("unknown format `{}` (formats: {})", a.format, COMPARE_FORMATS.join(", ")));
    }
    let (old, new) = (load(&a.old)?, load(&a.new)?);
    let cmp = compare_files(&old, &new, Options::default());
    let rendered = cmp
        .render(&a.format)
        .ok_or_else(|| anyhow!("unknown format `{}` (formats: {})", a.format, COMPARE_FORMATS.join(", ")))?;
    let mut notes = rendered.notes;
    let mut failed = false;
    if let Some(pct) = a.fail_above {
        let bad = cmp.regressions_above(pct);
        if !bad.is_empty() {
            failed = true;
            notes.push_str(&format!("interop-bench: {} row(s) got slower by more than {pct}%, beyond the noise:\n", bad.len()));
            for c in bad {
                notes.push_str(&format!(
                    "  {} {} {} {}: {:+.1}% (95% CI {:+.1}% … {:+.1}%)\n",
                    c.key.host,
                    c.key.runtime,
                    c.key.api,
                    c.key.case_label(),
                    c.change_pct,
                    c.ci_low_pct,
                    c.ci_high_pct
                ));
            }
        }
    }
    Ok((cmp, rendered.output, notes, failed))
}

pub fn compare(a: CompareArgs) -> Result<ExitCode> {
    let (_, output, notes, failed) = run_compare(&a)?;
    print!("{output}");
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
        CompareArgs { old, new, fail_above, format: "terminal".into() }
    }

    #[test]
    fn identical_files_pass_the_gate() {
        let (cmp, out, _, failed) = run_compare(&args(fixture(), fixture(), Some(10.0))).unwrap();
        assert!(!failed);
        assert!(cmp.rows.iter().all(|c| !c.significant()));
        assert!(out.contains("0 slower, 0 faster"), "{out}");
    }

    #[test]
    fn a_2x_slowdown_fails_the_gate() {
        let new = slowed(2.0);
        let (cmp, _, notes, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        assert!(failed, "{notes}");
        assert!(notes.contains("got slower by more than 10%"), "{notes}");
        // Every row doubled; a row whose 5 samples spread over 2x may still read as noise.
        assert!(cmp.regressions_above(10.0).len() * 10 >= cmp.rows.len() * 9);
        // Without the gate, the same comparison exits 0.
        let (_, _, _, failed) = run_compare(&args(fixture(), new.to_path_buf(), None)).unwrap();
        assert!(!failed);
    }

    #[test]
    fn a_gate_above_the_change_passes() {
        let new = slowed(1.05);
        let (_, _, _, failed) = run_compare(&args(fixture(), new.to_path_buf(), Some(10.0))).unwrap();
        assert!(!failed);
    }
}
