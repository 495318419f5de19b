//! `interop-bench merge A.json B.json ... -o all.json`: runs from several machines in one
//! file, each machine's rows kept apart (the work is in interop_core::merge).

use anyhow::{bail, Context, Result};
use clap::Args;
use interop_core::merge::{load_runs, merge as merge_runs};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct MergeArgs {
    /// Results files written by `run` (or files merged before), two or more: one per
    /// machine, or several from one machine (same fingerprint: they merge as one machine).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The merged file. Inputs from one machine make a plain results file; from several, a
    /// merged file with one run per machine, which `report` and `compare` read.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
}

pub fn merge(a: MergeArgs) -> Result<ExitCode> {
    if a.out.exists() && !a.force {
        bail!("{} exists: pass --force to replace it", a.out.display());
    }
    let mut inputs = Vec::new();
    for f in &a.files {
        // Each error names its file (cannot read, not a results file, schema).
        inputs.push((f.clone(), load_runs(f)?));
    }
    let merged = merge_runs(&inputs)?;
    for n in &merged.notes {
        eprintln!("note: {n}");
    }
    let text = if merged.runs.len() == 1 {
        serde_json::to_string_pretty(&merged.runs[0])
    } else {
        serde_json::to_string_pretty(&merged.file())
    }
    .context("cannot serialize the merged runs")?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = crate::guard::tmp_path(&a.out);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
    eprintln!("merged {} file(s) into {}: {} machine(s)", a.files.len(), a.out.display(), merged.runs.len());
    for r in &merged.runs {
        eprintln!("  {}: {} row(s), {} failure(s)", r.machine.title(), r.results.len(), r.failures.len());
    }
    Ok(ExitCode::SUCCESS)
}
