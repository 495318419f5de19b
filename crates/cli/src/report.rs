//! `interop-bench report` and `interop-bench list`.

use crate::cli::{ListArgs, ReportArgs};
use anyhow::{anyhow, bail, Context, Result};
use interop_core::export::{self, Exporter, Rendered, FORMATS};
use interop_core::merge::{load_runs, section_heading, side_by_side, Merged};
use std::path::Path;
use interop_core::results::ResultsFile;
use interop_core::scenario::ScenarioList;
use std::process::ExitCode;

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    // Loading rebuilds statistics and the cost model from the raw samples: nothing is rerun,
    // nothing derived is read from the file. A merged file gives one run per machine.
    let runs = select_machine(load_runs(&a.file)?, a.machine.as_deref(), &a.file)?;
    let exporter = export::by_name(&a.format)
        .ok_or_else(|| anyhow!("unknown format `{}` (formats: {})", a.format, FORMATS.join(", ")))?;
    let rendered = match runs.as_slice() {
        [one] => exporter.render(one),
        _ => render_machines(&runs, &a.format, exporter.as_ref(), &a.file)?,
    };
    match &a.output {
        Some(p) => std::fs::write(p, &rendered.output).with_context(|| format!("cannot write {}", p.display()))?,
        None => print!("{}", rendered.output),
    }
    eprint!("{}", rendered.notes);
    Ok(ExitCode::SUCCESS)
}

/// The runs of the machine `--machine` names (a fingerprint or a prefix of one), or all.
pub fn select_machine(runs: Vec<ResultsFile>, machine: Option<&str>, file: &Path) -> Result<Vec<ResultsFile>> {
    let Some(want) = machine else { return Ok(runs) };
    let known = || runs.iter().map(|r| r.machine.title()).collect::<Vec<_>>().join("; ");
    let hits: Vec<&ResultsFile> = runs.iter().filter(|r| !want.is_empty() && r.machine.fingerprint.starts_with(want)).collect();
    match hits.as_slice() {
        [one] => Ok(vec![(*one).clone()]),
        [] => bail!("{}: no machine with fingerprint `{want}` (machines: {})", file.display(), known()),
        _ => bail!("{}: `{want}` names {} machines; give more of the fingerprint (machines: {})", file.display(), hits.len(), known()),
    }
}

/// A report of several machines: the founding cases side by side, then each machine's own
/// report under a heading (terminal, markdown; benchstat: each machine's block, which
/// benchstat tells apart by its `cpu:` line), or the merged file itself (json).
fn render_machines(runs: &[ResultsFile], format: &str, exporter: &dyn Exporter, file: &Path) -> Result<Rendered> {
    let markdown = matches!(format, "markdown" | "md");
    match format {
        "json" => {
            let m = Merged { runs: runs.to_vec(), notes: vec![] };
            return Ok(Rendered { output: serde_json::to_string_pretty(&m.file())? + "\n", notes: String::new() });
        }
        "terminal" | "text" | "markdown" | "md" | "benchstat" => {}
        _ => bail!(
            "{} holds runs from {} machines and a {format} report shows one: pass --machine FINGERPRINT (machines: {})",
            file.display(),
            runs.len(),
            runs.iter().map(|r| r.machine.title()).collect::<Vec<_>>().join("; ")
        ),
    }
    let mut out = String::new();
    let mut notes = String::new();
    if format != "benchstat" {
        out.push_str(&side_by_side(runs, markdown));
    }
    for (i, run) in runs.iter().enumerate() {
        let r = exporter.render(run);
        if format != "benchstat" {
            out.push_str(&section_heading(i, runs.len(), run, markdown));
        }
        out.push_str(&r.output);
        if !r.notes.is_empty() {
            notes.push_str(&format!("machine {}:\n{}", run.machine.fingerprint, r.notes));
        }
    }
    Ok(Rendered { output: out, notes })
}

pub fn list(a: ListArgs) -> Result<ExitCode> {
    println!("Runtimes (host rust):");
    for r in interop_host::runtimes::all() {
        let i = r.info();
        println!(
            "  {:<22} {} {}  call APIs: {}  memory APIs: {}  {}",
            i.runtime,
            i.engine,
            i.version,
            i.call_apis.join(", "),
            if i.memory_apis.is_empty() { "-".into() } else { i.memory_apis.join(", ") },
            i.notes
        );
    }
    if a.go {
        let work = std::env::temp_dir().join(format!("interop-bench-list-{}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        match crate::orchestrate::go_host(&work) {
            Ok(h) => println!("Runtimes (host go): {}", h.runtimes.join(", ")),
            Err(e) => println!("Go host unavailable: {e:#}"),
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    println!("\nGuest variants (run --guest-variants a,b,...; the first feeds the cost model):");
    for v in interop_guest_build::Variant::all() {
        let note = match v.alloc {
            interop_guest_build::Alloc::WeeAlloc => "  (wee_alloc is unmaintained: RUSTSEC-2022-0054)",
            _ => "",
        };
        println!("  {:<22} {}{note}", v.name(), v.about());
    }
    println!("\nScenarios (scenarios/scenarios.toml):");
    for s in ScenarioList::builtin().scenarios {
        let values = match &s.param {
            Some(p) => format!(" [{p}: {}]", s.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")),
            None => String::new(),
        };
        println!("  {:<22} {:?}{}\n      {}", s.name, s.target, values, s.about);
    }
    Ok(ExitCode::SUCCESS)
}
