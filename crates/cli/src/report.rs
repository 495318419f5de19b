//! `interop-bench report` and `interop-bench list`.

use crate::cli::{ListArgs, ReportArgs, RunArgs};
use anyhow::{bail, Context, Result};
use interop_core::export::{self, Exporter, Rendered};
use interop_core::merge::{load_runs, section_heading, side_by_side, Merged};
use std::path::{Path, PathBuf};
use interop_core::results::ResultsFile;
use interop_core::scenario::ScenarioList;
use std::process::ExitCode;

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    // Loading rebuilds statistics and the cost model from the raw samples: nothing is rerun,
    // nothing derived is read from the file. A merged file gives one run per machine.
    let runs = select_machine(load_runs(&a.file)?, a.machine.as_deref(), &a.file)?;
    let exporter: Box<dyn Exporter> = match a.format {
        // Fitted to the terminal it is printed on (a file written with -o: no width).
        crate::cli::ReportFormat::Terminal if a.output.is_none() => Box::new(crate::cli::terminal(a.intervals, a.detail)),
        crate::cli::ReportFormat::Terminal => Box::new(export::Terminal { width: None, intervals: a.intervals, detail: a.detail }),
        f => export::by_name(f.name()).expect("an exporter of every --format value"),
    };
    let rendered = match runs.as_slice() {
        [one] => exporter.render(one),
        _ => render_machines(&runs, a.format.name(), exporter.as_ref(), &a.file)?,
    };
    write_output(a.output.as_deref(), &rendered.output)?;
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

/// `-o FILE` (checked first, so the message names the flag) or stdout.
pub fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(p) => {
            check_writable("--output", p)?;
            std::fs::write(p, text).with_context(|| format!("--output: cannot write {}", p.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// A file can be created at `path`: its folder exists and it is not a folder itself.
pub fn check_writable(flag: &str, path: &Path) -> Result<()> {
    if path.is_dir() {
        bail!("{flag}: {} is a folder, not a file", path.display());
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        bail!("{flag}: cannot write {}: the folder {} does not exist", path.display(), parent.display());
    }
    Ok(())
}

/// `run --export-*`: (flag, exporter name, file) of each one given.
pub fn exports(a: &RunArgs) -> Vec<(&'static str, &'static str, PathBuf)> {
    [
        ("--export-json", "json", &a.export_json),
        ("--export-markdown", "markdown", &a.export_markdown),
        ("--export-csv", "csv", &a.export_csv),
        ("--export-benchstat", "benchstat", &a.export_benchstat),
    ]
    .into_iter()
    .filter_map(|(flag, format, p)| p.clone().map(|p| (flag, format, p)))
    .collect()
}

/// `wasmtime 48.0.0`, `rustc 1.95.0 (...)` (not `rustc rustc 1.95.0`), `go1.26.8`.
pub fn engine_version(engine: &str, version: &str) -> String {
    if version.starts_with(engine) {
        version.to_string()
    } else {
        format!("{engine} {version}")
    }
}

/// One runtime of `list`.
fn runtime_line(runtime: &str, engine: &str, version: &str, calls: &[String], memory: &[String], notes: &str) -> String {
    format!(
        "  {:<22} {}  call APIs: {}  memory APIs: {}  {}",
        runtime,
        engine_version(engine, version),
        calls.join(", "),
        if memory.is_empty() { "-".into() } else { memory.join(", ") },
        notes
    )
    .trim_end()
    .to_string()
}

pub fn list(a: ListArgs) -> Result<ExitCode> {
    println!("Runtimes (host rust):");
    for r in interop_host::runtimes::all() {
        let i = r.info();
        println!("{}", runtime_line(&i.runtime, &i.engine, &i.version, &i.call_apis, &i.memory_apis, &i.notes));
    }
    if a.go {
        let work = std::env::temp_dir().join(format!("interop-bench-list-{}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        match crate::orchestrate::go_host(&work) {
            Ok(h) => {
                println!("\nRuntimes (host go):");
                for i in &h.infos {
                    println!("{}", runtime_line(&i.runtime, &i.engine, &i.version, &i.call_apis, &i.memory_apis, &i.notes));
                }
            }
            Err(e) => eprintln!("interop-bench: Go host unavailable: {e:#}"),
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
