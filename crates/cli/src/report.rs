//! `interop-bench report` and `interop-bench list`.

use crate::cli::{ListArgs, ReportArgs, RunArgs};
use anyhow::{bail, Context, Result};
use interop_core::export::{self, Exporter};
use std::path::{Path, PathBuf};
use interop_core::results::ResultsFile;
use interop_core::scenario::ScenarioList;
use std::process::ExitCode;

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    // Loading rebuilds statistics and the cost model from the raw samples: nothing is rerun,
    // nothing derived is read from the file.
    let results = ResultsFile::load(&a.file)?;
    let rendered = match a.format {
        // Fitted to the terminal it is printed on (a file written with -o: no width).
        crate::cli::ReportFormat::Terminal if a.output.is_none() => crate::cli::terminal(a.intervals).render(&results),
        crate::cli::ReportFormat::Terminal => export::Terminal { width: None, intervals: a.intervals }.render(&results),
        f => export::by_name(f.name()).expect("an exporter of every --format value").render(&results),
    };
    write_output(a.output.as_deref(), &rendered.output)?;
    eprint!("{}", rendered.notes);
    Ok(ExitCode::SUCCESS)
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
