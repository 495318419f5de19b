//! Runs from several machines in one file (`interop-bench merge`).
//!
//! A results file is one run on one machine. A merged file keeps one run per machine,
//! each a whole results file (its machine, configuration, guest, noise record, rows), so
//! every row sits under the machine that measured it and nothing of two machines is ever
//! averaged. Machines are told apart by their fingerprint ([`Machine::derive_fingerprint`]):
//! runs with the same fingerprint (e.g. the Rust and the Go shard of one CI runner type)
//! merge into one run of that machine.
//!
//! [`load_runs`] reads either kind of file as a list of runs, one per machine; `report`
//! and `compare` work on that list.

use crate::export::terminal_ns as ns;
use crate::results::{ResultsError, ResultsFile, RowKey, READABLE_SCHEMAS, SCHEMA_VERSION};
use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merged file says it is, in its `kind`.
pub const MERGED_KIND: &str = "merged";

/// The file `merge` writes when its inputs came from more than one machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedFile {
    pub schema_version: u32,
    /// Always [`MERGED_KIND`].
    pub kind: String,
    pub tool_version: String,
    /// One run per machine fingerprint, in the order the inputs first named them.
    pub machines: Vec<ResultsFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Results(#[from] ResultsError),
    #[error("{path}: {what} differs from {first}'s run on the same machine ({fingerprint}); runs of one machine merge only when they measured the same way")]
    Conflict { path: String, first: String, fingerprint: String, what: String },
    #[error("nothing to merge: give two or more results files")]
    Nothing,
}

/// The runs of a results file or a merged file, one per machine, each with its statistics
/// and model derived from its samples (as [`ResultsFile::load`] does).
pub fn load_runs(path: &Path) -> Result<Vec<ResultsFile>, ResultsError> {
    let p = path.display().to_string();
    let value = crate::results::read_json(path)?;
    if value.get("machines").is_none() {
        return ResultsFile::from_json(value, path).map(|r| vec![r]);
    }
    let found = value.get("schema_version").and_then(|v| v.as_u64()).unwrap_or(0);
    if !READABLE_SCHEMAS.contains(&found) || found < 2 {
        return Err(ResultsError::Version { path: p, found });
    }
    let mut m: MergedFile = serde_json::from_value(value).map_err(|cause| ResultsError::Parse { path: p.clone(), cause })?;
    for run in &mut m.machines {
        run.schema_version = SCHEMA_VERSION;
        run.machine.ensure_fingerprint();
        run.rederive();
    }
    Ok(m.machines)
}

/// The merged runs, one per machine, and what the merge noticed on the way.
#[derive(Debug)]
pub struct Merged {
    pub runs: Vec<ResultsFile>,
    pub notes: Vec<String>,
}

impl Merged {
    /// The merged file (when the runs came from more than one machine).
    pub fn file(&self) -> MergedFile {
        MergedFile {
            schema_version: SCHEMA_VERSION,
            kind: MERGED_KIND.into(),
            tool_version: self.runs.first().map(|r| r.tool_version.clone()).unwrap_or_default(),
            machines: self.runs.clone(),
        }
    }
}

/// Merges the runs of each input (its path, its runs as [`load_runs`] gave them): runs of
/// a machine already seen join its run, others are kept apart.
pub fn merge(inputs: &[(PathBuf, Vec<ResultsFile>)]) -> Result<Merged, MergeError> {
    let mut runs: Vec<ResultsFile> = Vec::new();
    // The input each machine's run came from first, for messages.
    let mut first_of: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    for (path, file_runs) in inputs {
        let p = path.display().to_string();
        for run in file_runs {
            match runs.iter().position(|r| r.machine.fingerprint == run.machine.fingerprint) {
                None => {
                    runs.push(run.clone());
                    first_of.push(p.clone());
                }
                Some(i) => {
                    let dups = absorb(&mut runs[i], run, &p, &first_of[i])?;
                    if dups > 0 {
                        notes.push(format!(
                            "{p}: {dups} row(s) also measured in {} on the same machine ({}): kept {}'s (e.g. the native baseline every shard runs)",
                            first_of[i], run.machine.fingerprint, first_of[i]
                        ));
                    }
                }
            }
        }
    }
    if inputs.len() < 2 && runs.len() < 2 {
        return Err(MergeError::Nothing);
    }
    for r in &mut runs {
        r.rederive();
    }
    Ok(Merged { runs, notes })
}

/// Adds `run` to `into`, a run of the same machine: rows, failures, runtimes, probes and
/// counts it does not have yet. Returns how many rows both had (`into`'s are kept).
fn absorb(into: &mut ResultsFile, run: &ResultsFile, path: &str, first: &str) -> Result<usize, MergeError> {
    let conflict = |what: String| MergeError::Conflict {
        path: path.into(),
        first: first.into(),
        fingerprint: run.machine.fingerprint.clone(),
        what,
    };
    if into.config.mode != run.config.mode {
        return Err(conflict(format!("the run's mode ({} vs {})", run.config.mode, into.config.mode)));
    }
    if into.guest_sha256 != run.guest_sha256 {
        return Err(conflict("the guest module (sha256)".into()));
    }
    // A scenario file's cases are split by the calls the file says they make: one file.
    match (&into.scenario_file, &run.scenario_file) {
        (Some(a), Some(b)) if a.toml != b.toml => return Err(conflict("the scenario file".into())),
        (None, Some(b)) => into.scenario_file = Some(b.clone()),
        _ => {}
    }
    for v in &run.guest.variants {
        if !into.guest.variants.iter().any(|x| x.name == v.name) {
            into.guest.variants.push(v.clone());
        }
    }
    let mut dups = 0;
    for row in &run.results {
        if into.results.iter().any(|r| r.key == row.key) {
            dups += 1;
        } else {
            into.results.push(row.clone());
        }
    }
    for f in &run.failures {
        if !into.failures.contains(f) {
            into.failures.push(f.clone());
        }
    }
    for n in &run.not_applicable {
        if !into.not_applicable.contains(n) {
            into.not_applicable.push(n.clone());
        }
    }
    for rt in &run.runtimes {
        if !into.runtimes.iter().any(|r| r.host == rt.host && r.runtime == rt.runtime) {
            into.runtimes.push(rt.clone());
        }
    }
    for c in &run.capabilities {
        if !into.capabilities.iter().any(|x| x.host == c.host && x.runtime == c.runtime && x.probe == c.probe) {
            into.capabilities.push(c.clone());
        }
    }
    for c in &run.counts {
        if into.count(&c.key).is_none() {
            into.counts.push(c.clone());
        }
    }
    if into.noise.is_none() {
        into.noise = run.noise.clone();
    }
    // A host's build from the run that measured it (the Rust shard and the Go shard of one
    // runner type each bring their own).
    for (host, build) in &run.builds {
        into.builds.entry(host.clone()).or_insert_with(|| build.clone());
    }
    into.started_unix = into.started_unix.min(run.started_unix);
    into.complete &= run.complete;
    Ok(dups)
}

/// The founding document's cases on every machine, one column per machine: the rows of
/// the seed's scenarios that more than one machine measured. Empty when there is one run.
pub fn side_by_side(runs: &[ResultsFile], markdown: bool) -> String {
    if runs.len() < 2 {
        return String::new();
    }
    let seed = |k: &RowKey| {
        crate::analysis::SEED_BENCHMARKS.iter().any(|(_, s, p)| *s == k.scenario && p.is_none_or(|p| k.param() == Some(p)))
    };
    let mut keys: BTreeMap<&RowKey, usize> = BTreeMap::new();
    for run in runs {
        for r in run.results.iter().filter(|r| seed(&r.key)) {
            *keys.entry(&r.key).or_default() += 1;
        }
    }
    let shared: Vec<&RowKey> = keys.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| k).collect();
    let mut t = Table::new();
    t.load_style(if markdown { ASCII_MARKDOWN } else { UTF8_FULL_CONDENSED });
    t.set_content_arrangement(ContentArrangement::Disabled);
    let mut header = vec!["host".to_string(), "runtime".into(), "api".into(), "scenario".into()];
    header.extend(runs.iter().map(|r| r.machine.fingerprint.clone()));
    t.set_header(header);
    let cell = |s: &str| if markdown { crate::export::markdown_cell(s) } else { s.to_string() };
    for k in &shared {
        let mut row = vec![cell(&k.host), cell(&k.runtime), cell(&k.api), cell(&k.case_label())];
        for run in runs {
            row.push(run.results.iter().find(|r| &r.key == *k).map(|r| ns(r.estimate())).unwrap_or_else(|| "-".into()));
        }
        t.add_row(row);
    }
    for i in 4..4 + runs.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = String::new();
    out.push_str(if markdown { "## Machines side by side\n\n" } else { "Machines side by side\n" });
    for r in runs {
        out.push_str(&format!("{}{}\n", if markdown { "- " } else { "  " }, cell(&r.machine.title())));
    }
    out.push('\n');
    if shared.is_empty() {
        out.push_str("(no row of the founding document's cases was measured on more than one machine)\n");
    } else {
        out.push_str(&format!("{t}\n"));
        out.push_str("ns/op, the mean of each machine's samples; each machine's own report follows.\n");
    }
    out
}

/// The heading of one machine's section of a report or comparison.
pub fn section_heading(i: usize, n: usize, run: &ResultsFile, markdown: bool) -> String {
    if markdown {
        format!("\n## Machine {} of {n}: {}\n\n", i + 1, crate::export::markdown_cell(&run.machine.title()))
    } else {
        format!("\n════ Machine {} of {n}: {} ════\n", i + 1, run.machine.title())
    }
}

#[cfg(test)]
mod tests {
    use crate::results::{ResultsFile, ScenarioFileRecord};

    #[test]
    fn runs_of_one_machine_keep_their_scenario_file_and_refuse_another() {
        let file = |toml: &str| Some(ScenarioFileRecord { path: "m.toml".into(), toml: toml.into() });
        let mut into = ResultsFile::new();
        let mut go = ResultsFile::new();
        go.scenario_file = file("schema = 1");
        super::absorb(&mut into, &go, "go.json", "rust.json").unwrap();
        assert_eq!(into.scenario_file, go.scenario_file, "the shard that ran the file brings it");
        let mut other = ResultsFile::new();
        other.scenario_file = file("schema = 1 # another");
        let e = super::absorb(&mut into, &other, "other.json", "rust.json").unwrap_err().to_string();
        assert!(e.contains("the scenario file differs"), "{e}");
    }

    #[test]
    fn the_fingerprint_is_the_machine_not_the_run() {
        let mut a = crate::results::Machine { cpu_model: "CPU A".into(), cores: 4, os: "Linux 6.1".into(), ..Default::default() };
        a.toolchains.insert("rustc".into(), "rustc 1.95.0".into());
        let f = a.derive_fingerprint();
        assert_eq!(f.len(), 12);
        let mut b = a.clone();
        b.toolchains.insert("valgrind".into(), "valgrind-3.22".into());
        assert_eq!(b.derive_fingerprint(), f, "a counts run's valgrind is not the machine");
        b.cores = 8;
        assert_ne!(b.derive_fingerprint(), f);
        let mut c = a.clone();
        c.toolchains.insert("rustc".into(), "rustc 1.96.0".into());
        assert_ne!(c.derive_fingerprint(), f);
    }
}
