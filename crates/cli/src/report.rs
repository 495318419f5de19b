//! `interop-bench report` and `interop-bench list`.

use crate::cli::{ListArgs, ReportArgs};
use anyhow::{anyhow, Context, Result};
use interop_core::export::{self, FORMATS};
use interop_core::results::ResultsFile;
use interop_core::scenario::ScenarioList;
use std::process::ExitCode;

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    // Loading rebuilds statistics and the cost model from the raw samples: nothing is rerun,
    // nothing derived is read from the file.
    let results = ResultsFile::load(&a.file)?;
    let exporter = export::by_name(&a.format)
        .ok_or_else(|| anyhow!("unknown format `{}` (formats: {})", a.format, FORMATS.join(", ")))?;
    let rendered = exporter.render(&results);
    match &a.output {
        Some(p) => std::fs::write(p, &rendered.output).with_context(|| format!("cannot write {}", p.display()))?,
        None => print!("{}", rendered.output),
    }
    eprint!("{}", rendered.notes);
    Ok(ExitCode::SUCCESS)
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
