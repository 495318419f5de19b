//! `interop-bench run`: starts one worker process per runtime, folds their events into the
//! results file (saved as rows come, at most 10 s apart), survives workers that crash or hang, reports.

use crate::cli::RunArgs;
use crate::guard;
use crate::machine;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use interop_core::export::Exporter;
use interop_core::results::{Event, Failure, GuestInfo, GuestVariant, Params, ResultRow, ResultsFile, RunConfig, ScenarioFileRecord, Timing, SCHEMA_VERSION};
use interop_core::scenario::{ScenarioList, Target, SCENARIOS_TOML};
use interop_host::measure::MeasureConfig;
use interop_core::plugin::sha256_hex;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How to start a host's worker.
pub struct Host {
    pub name: &'static str,
    pub program: PathBuf,
    pub prefix: Vec<String>,
    /// Runtime names this host offers (the native baseline first).
    pub runtimes: Vec<String>,
    /// What the Go driver said of each (`list --go`); empty for the Rust host, whose
    /// runtimes are in this binary.
    pub infos: Vec<interop_core::results::RuntimeInfo>,
}

pub fn rust_host() -> Result<Host> {
    Ok(Host {
        name: "rust",
        program: std::env::current_exe().context("cannot find the interop-bench executable")?,
        prefix: vec!["worker".into()],
        runtimes: interop_host::runtimes::all().iter().map(|r| r.info().runtime).collect(),
        infos: Vec::new(),
    })
}

/// Where the Go host's sources live (the repository's `go/`).
pub fn go_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go")
}

/// Builds the Go driver (or finds it in the cache) and asks it for its runtimes. `Err` says plainly why not.
pub fn go_host(work: &Path) -> Result<Host> {
    let dir = go_dir();
    if !dir.join("go.mod").exists() {
        bail!("the Go host's sources are not here ({} has no go.mod)", dir.display());
    }
    let Some(version) = machine::go_version() else {
        bail!("no Go toolchain found (`go version` failed): install Go to measure wasmtime-go, wazero and wasmer-go");
    };
    // Built once per content of the sources, reused by every later run (crate::gocache).
    let _ = work;
    let program = crate::gocache::driver(&dir, &version)?;
    let out = Command::new(&program).args(["--runtime", "list"]).output().context("cannot run the Go driver")?;
    let mut runtimes = Vec::new();
    let mut infos = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Ok(Event::Runtime(info)) = serde_json::from_str::<Event>(line) {
            runtimes.push(info.runtime.clone());
            infos.push(info);
        }
    }
    if runtimes.is_empty() {
        bail!("the Go driver listed no runtimes:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(Host { name: "go", program, prefix: vec![], runtimes, infos })
}

/// A guest module a run measures, with its description for the results file.
pub struct RunGuest {
    pub wasm: Vec<u8>,
    /// `builtin` or the --guest path.
    pub source: String,
    pub info: GuestVariant,
}

/// A user's module is WebAssembly, and the scenario file (if any) fits it; otherwise the
/// run is refused before anything runs, with every misfit named (interop_host::fit). The
/// built-in scenarios on it get a note of what they cannot call or link.
fn fits(guest: &str, wasm: &[u8], plugin: Option<&interop_core::plugin::LoadedPlugin>, list: &ScenarioList) -> Result<()> {
    use interop_host::fit;
    fit::validate(wasm).map_err(|e| anyhow::anyhow!("the guest module {guest} is not valid WebAssembly: {e}"))?;
    let shape = fit::Shape::read(wasm).map_err(|e| anyhow::anyhow!("cannot read the guest module {guest}: {e}"))?;
    let Some(plugin) = plugin else {
        // The built-in scenarios on the user's module: what they cannot call fails its own
        // scenarios only, and the run goes on (said up front). Without a `memory` export the
        // Rust host's adapters cannot instantiate it at all, but the Go host's run the
        // scenarios that pass no bytes (noop, add, host_import) on it.
        if let Some(p) = fit::memory_problem(&shape) {
            eprintln!(
                "interop-bench: the guest module {guest}: {p}; every Rust engine, and every Go scenario that passes bytes, \
                 fails on it"
            );
        }
        lacking_note(guest, &shape, list);
        return Ok(());
    };
    let problems = fit::problems(&shape, plugin);
    if !problems.is_empty() {
        bail!(
            "the scenario file {} does not fit the module {guest} (every engine would fail on it):\n  {}",
            plugin.path.display(),
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// The built-in scenarios on a user's module (`--guest` without a scenario file) call the
/// built-in guest's exports and link only its one import: a scenario whose exports the module
/// lacks, or any that instantiates a module importing more, fails on every engine, row by row.
/// Said once, up front, with the way to call the module's own functions.
fn lacking_note(guest: &str, shape: &interop_host::fit::Shape, list: &ScenarioList) {
    use interop_host::fit;
    let lacking: Vec<String> = list
        .scenarios
        .iter()
        .filter(|s| s.target == Target::Wasm)
        .filter_map(|s| {
            let wanted: Vec<&str> = s.exports.iter().map(String::as_str).collect();
            let missing = fit::missing_functions(shape, &wanted);
            (!missing.is_empty()).then(|| format!("{} ({})", s.name, missing.join(", ")))
        })
        .collect();
    const SHOWN: usize = 4;
    let some = |v: &[String]| interop_core::export::notes::first_of(v, SHOWN);
    let unlinked = fit::unlinked_by_builtin(shape);
    if !unlinked.is_empty() {
        eprintln!(
            "interop-bench: the module {guest} imports what the built-in scenarios do not link (they link env.host_inc only): {}; \
             every scenario that instantiates it fails. A scenario file links each engine's WASI (wasi = true) and host \
             functions of your own ([[import]]): --scenario-file, docs/scenario-files.md.",
            some(&unlinked)
        );
    }
    if !lacking.is_empty() {
        eprintln!(
            "interop-bench: the module {guest} lacks the exports that {} of the built-in scenarios call: {}; those fail on every \
             engine. To call the module's own functions, describe them in a scenario file (--scenario-file, docs/scenario-files.md).",
            lacking.len(),
            some(&lacking)
        );
    }
}

/// The guest modules of a run: `--guest FILE` (one, variant `custom`), or the variants of
/// `--guest-variants` (default: the default build), built or taken from the cache.
pub fn guest_variants(a: &RunArgs) -> Result<Vec<RunGuest>> {
    use interop_core::results::CUSTOM_GUEST_VARIANT;
    use interop_guest_build::Variant;
    if let Some(p) = &a.guest {
        let wasm = interop_core::files::read_capped(p, interop_core::files::FILE_CAP)
            .with_context(|| format!("cannot read the guest module {}", p.display()))?;
        let info = GuestVariant {
            name: CUSTOM_GUEST_VARIANT.into(),
            about: format!("the module {}", p.display()),
            size_bytes: wasm.len() as u64,
            sha256: sha256_hex(&wasm),
            ..GuestVariant::default()
        };
        return Ok(vec![RunGuest { wasm, source: p.display().to_string(), info }]);
    }
    let mut wanted: Vec<Variant> = Vec::new();
    for name in &a.guest_variants {
        let v = Variant::parse(name).map_err(|e| anyhow::anyhow!("--guest-variants: {e}"))?;
        if !wanted.contains(&v) {
            wanted.push(v);
        }
    }
    if wanted.is_empty() {
        wanted.push(Variant::DEFAULT);
    }
    let mut out = Vec::new();
    for v in wanted {
        if v != Variant::DEFAULT {
            eprintln!("interop-bench: guest variant {v} ({})", v.about());
        }
        out.push(builtin_guest(v)?);
    }
    Ok(out)
}

/// A build of the built-in guest, built once and cached (crates/guest-build).
fn builtin_guest(v: interop_guest_build::Variant) -> Result<RunGuest> {
    use interop_guest_build::Variant;
    let built = interop_guest_build::build_variant(v).map_err(|e| anyhow::anyhow!(e))?;
    let mut build: std::collections::BTreeMap<String, String> = interop_guest_build::variant_flags(v).into_iter().collect();
    if v == Variant::DEFAULT {
        // The default build's own record, as every results file had it.
        build.extend(interop_host::guest_build_flags().into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
    }
    let info = GuestVariant {
        name: v.name(),
        about: v.about(),
        allocator: v.alloc.crate_version().into(),
        allocator_note: v.alloc.note().into(),
        simd: v.simd,
        size_bytes: built.wasm.len() as u64,
        sha256: sha256_hex(&built.wasm),
        build,
    };
    Ok(RunGuest { wasm: built.wasm, source: "builtin".into(), info })
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn run(a: RunArgs) -> Result<ExitCode> {
    // First: signals are waited for in a thread of their own, and whatever this run
    // leaves behind (temporary folder, partial file, lock) is removed on every exit path.
    let mut guard = guard::start();
    crate::noise::warn_test_knob();
    let cfg = a.measure.config();
    // Each timed row is measured in this many worker processes, each with its share of the
    // row's samples and time (MeasureConfig::per_process, taken by the worker).
    let processes = a.measure.processes() as usize;
    let full = ScenarioList::builtin();
    // A user's scenario file replaces the Wasm scenarios; the native floor (`empty`) stays.
    let plugin = match &a.scenario_file {
        Some(p) => {
            let loaded = interop_core::plugin::LoadedPlugin::load(p)?;
            let names = loaded.names();
            if let Some(bad) = a.scenarios.iter().find(|n| !names.contains(n)) {
                bail!("unknown scenario `{bad}` (the scenario file {} has: {})", p.display(), names.join(", "));
            }
            Some((std::path::absolute(p)?, names, loaded))
        }
        None => None,
    };
    // --counts without --scenarios: the founding document's cases, and the floor and the
    // cgo toll the layer split needs.
    let wanted: Vec<String> = if a.counts && a.scenarios.is_empty() && plugin.is_none() {
        DEFAULT_COUNT_SELECTION.iter().map(|s| s.to_string()).collect()
    } else {
        a.scenarios.clone()
    };
    let list = match &plugin {
        Some(_) => full.select(&["empty".to_string()])?,
        None => full.select_cases(&wanted)?,
    };
    // The worker is handed the list itself when a case picks parameter values.
    let list_toml = if wanted.iter().any(|w| w.contains('/')) { list.to_toml() } else { SCENARIOS_TOML.to_string() };
    let valgrind = if a.counts { Some(valgrind_version()?) } else { None };
    for h in &a.hosts {
        if h != "rust" && h != "go" {
            bail!("unknown host `{h}` (hosts: rust, go)");
        }
    }
    // The guest builds: a user's module, or the built-in guest's variants (the default build
    // unless --guest-variants), each built once and cached (crates/guest-build).
    let variants = guest_variants(&a)?;
    let (wasm, source) = (variants[0].wasm.clone(), variants[0].source.clone());
    if a.guest.is_some() || plugin.is_some() {
        let name = a.guest.as_ref().map_or("the built-in guest".to_string(), |p| p.display().to_string());
        fits(&name, &wasm, plugin.as_ref().map(|(_, _, loaded)| loaded), &list)?;
    }
    let mut variants = variants;
    // Beside a scenario file on a user's module, the built-in guest's noop and add on the
    // same engines: what crossing costs each call API, to split the file's cases by
    // (analysis::own_cases; counted too under --counts: analysis::own_count_layers). Not on
    // the built-in guest's own builds (no --guest).
    let mut crossing_reference = plugin.is_some() && a.guest.is_some() && !a.own_only;
    if crossing_reference {
        // Without it the file's cases still run, unsplit: said, not fatal.
        match builtin_guest(interop_guest_build::Variant::DEFAULT) {
            Ok(g) => variants.push(g),
            Err(e) => {
                crossing_reference = false;
                eprintln!(
                    "interop-bench: the built-in guest could not be built ({e:#}), so its noop and add do not run beside the \
                     scenario file and the file's cases are not split into crossing, arguments and the module's own part"
                );
            }
        }
    }
    // The results file is claimed before anything runs: never another run's, never an
    // existing one without --force.
    let out_path = a.output.clone().unwrap_or_else(guard::default_out_path);
    // The export files' folders exist before the run, not only at its end.
    let exports = crate::report::exports(&a);
    for (flag, _, path) in &exports {
        crate::report::check_writable(flag, path)?;
    }
    guard::claim(&mut guard, &out_path, a.force)?;

    let sha = sha256_hex(&wasm);
    // Workers in any language read the guest and the scenario list from files.
    let work = std::env::temp_dir().join(format!("interop-bench-{}-{}", std::process::id(), &sha[..12]));
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    guard::set_work_dir(&mut guard, &work)?;
    let mut variant_files = Vec::new();
    for v in &variants {
        let f = work.join(format!("guest-{}.wasm", v.info.name));
        std::fs::write(&f, &v.wasm).with_context(|| format!("cannot write {}", f.display()))?;
        variant_files.push(f);
    }
    let guest_file = variant_files[0].clone();
    let scenarios_file = work.join("scenarios.toml");
    std::fs::write(&scenarios_file, &list_toml).with_context(|| format!("cannot write {}", scenarios_file.display()))?;
    // The crossing reference's workers read the built-in list whole.
    let builtin_file = work.join("scenarios-builtin.toml");
    if crossing_reference {
        std::fs::write(&builtin_file, SCENARIOS_TOML).with_context(|| format!("cannot write {}", builtin_file.display()))?;
    }

    // Hosts.
    let go_requested = a.hosts.iter().any(|h| h == "go");
    let mut hosts = Vec::new();
    if a.hosts.is_empty() || a.hosts.iter().any(|h| h == "rust") {
        hosts.push(rust_host()?);
    }
    let mut notes = Vec::new();
    if a.hosts.is_empty() || go_requested {
        match go_host(&work) {
            Ok(h) => hosts.push(h),
            Err(e) if go_requested => return Err(e.context("--hosts go")),
            Err(e) => notes.push(format!("Go host skipped: {e:#}")),
        }
    }
    for n in &notes {
        eprintln!("interop-bench: {n}");
    }

    // The plan: (host, runtime, scenarios), the native baseline of each host first.
    for r in &a.runtimes {
        if !hosts.iter().any(|h| h.runtimes.contains(r)) {
            bail!("unknown runtime `{r}` ({})", available_runtimes(&hosts));
        }
    }
    let mut plan: Vec<(&Host, String, Vec<String>)> = Vec::new();
    let mut focused = std::collections::BTreeMap::new();
    for h in &hosts {
        for r in &h.runtimes {
            let native = r == "native";
            if !native && !a.runtimes.is_empty() && !a.runtimes.contains(r) {
                continue;
            }
            let target = if native { Target::Native } else { Target::Wasm };
            let names: Vec<String> = match &plugin {
                Some((_, names, _)) if !native => names.iter().filter(|n| a.scenarios.is_empty() || a.scenarios.contains(n)).cloned().collect(),
                _ => list.scenarios.iter().filter(|s| s.target == target).map(|s| s.name.clone()).collect(),
            };
            // A configuration that differs from its base engine in one respect runs, in a
            // default selection, only where that respect shows (scenario::focus_of).
            let names = match interop_core::scenario::focus_of(r) {
                Some(focus) if a.scenarios.is_empty() && plugin.is_none() && !a.counts => {
                    let kept: Vec<String> = names.into_iter().filter(|n| focus.contains(&n.as_str())).collect();
                    focused.insert(r.clone(), kept.clone());
                    kept
                }
                _ => names,
            };
            if !names.is_empty() {
                plan.push((h, r.clone(), names));
            }
        }
    }

    let started = now_unix();
    let mut results = ResultsFile::new();
    results.schema_version = SCHEMA_VERSION;
    results.tool_version = env!("CARGO_PKG_VERSION").into();
    results.started_unix = started;
    results.machine = machine::describe();
    results.guest_sha256 = sha.clone();
    results.guest = GuestInfo {
        sha256: sha,
        size_bytes: wasm.len() as u64,
        source,
        build: variants[0].info.build.clone(),
        variants: variants.iter().map(|v| v.info.clone()).collect(),
    };
    if let Some(v) = &valgrind {
        results.machine.toolchains.insert("valgrind".into(), v.clone());
    }
    if let Some((path, _, loaded)) = &plugin {
        results.scenario_file = Some(ScenarioFileRecord { path: path.display().to_string(), toml: loaded.text.clone() });
    }
    // Which build of each host measured: `compare` says when two runs' differ.
    for h in &hosts {
        match std::fs::read(&h.program) {
            Ok(bytes) => {
                results.builds.insert(h.name.to_string(), sha256_hex(&bytes));
            }
            Err(e) => eprintln!("interop-bench: cannot read {} to record its build: {e}", h.program.display()),
        }
    }
    results.config = RunConfig {
        mode: if a.counts {
            "counts".into()
        } else if a.measure.quick {
            "quick".into()
        } else {
            "default".into()
        },
        warmup_ms: cfg.warmup.as_secs_f64() * 1e3,
        target_sample_ms: cfg.target_sample.as_secs_f64() * 1e3,
        samples: cfg.samples,
        timeout_s: a.timeout,
        precision_pct: cfg.precision * 100.0,
        max_row_ms: cfg.max_row.as_secs_f64() * 1e3,
        count_work: a.counts.then_some(a.count_work),
        count_repeats: a.counts.then_some(a.count_repeats),
        focused,
        processes: hosts.iter().filter(|_| processes > 1).map(|h| (h.name.to_string(), processes as u32)).collect(),
    };
    // Nothing is written until there is a row or a failure to write (an existing file
    // replaced with --force survives a run that measures nothing).

    // The capability probes: every selected Wasm engine (not the native baselines); on in a
    // default run, off with --quick unless --capabilities.
    let probes = a.capabilities || a.reprobe || (!a.no_capabilities && !a.measure.quick && !a.counts);
    let probe_plan: Vec<(&Host, String)> = if !probes {
        Vec::new()
    } else {
        plan.iter().filter(|p| p.1 != "native").map(|p| (p.0, p.1.clone())).collect()
    };
    // Under --counts a Go runtime runs twice (collector off, then on).
    let count_passes = |h: &Host| if a.counts && h.name == "go" { 2 } else { 1 };
    // The timed passes (one per worker process), then the counted ones.
    let timed_passes = if !a.counts || a.with_time { processes } else { 0 };
    let passes = |h: &Host| timed_passes + if a.counts { count_passes(h) } else { 0 };
    // Every variant runs the plan; the native baselines (no guest) run once.
    // The scenarios of one worker run: the plan's, or the crossing reference's on the
    // built-in guest beside a scenario file.
    let reference_names: Vec<String> = interop_core::analysis::OWN_REFERENCE.iter().map(|s| s.to_string()).collect();
    let names_of = |vi: usize, i: usize| if crossing_reference && vi > 0 { &reference_names } else { &plan[i].2 };
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for vi in 0..variants.len() {
        runs.extend((0..plan.len()).filter(|&i| vi == 0 || plan[i].1 != "native").map(|i| (vi, i)));
    }
    let total: usize = runs.iter().map(|&(vi, i)| names_of(vi, i).len() * passes(plan[i].0)).sum::<usize>() + probe_plan.len();
    if a.counts {
        let mut secs: f64 = runs
            .iter()
            .map(|&(vi, i)| {
                let (h, r, _) = &plan[i];
                expected_count_secs(h.name, r, names_of(vi, i), a.count_work, a.count_repeats) * count_passes(h) as f64
            })
            .sum();
        if a.with_time {
            // About two rows a scenario, each warm-up plus its samples.
            let row = cfg.warmup.as_secs_f64() + cfg.samples as f64 * cfg.target_sample.as_secs_f64() * 1.3;
            secs += plan.iter().map(|p| p.2.len() as f64 * 2.0 * row + 1.0).sum::<f64>();
        }
        eprintln!(
            "interop-bench: counting instructions under callgrind ({}): {} scenario(s) on {} runtime(s), {} worker run(s); expect about {}",
            valgrind.as_deref().unwrap_or("valgrind"),
            plan.iter().map(|p| p.2.len()).max().unwrap_or(0),
            plan.len(),
            runs.iter().map(|&(_, i)| count_passes(plan[i].0)).sum::<usize>(),
            minutes(secs)
        );
    }
    let bar = if a.no_progress { ProgressBar::hidden() } else { ProgressBar::new(total as u64) };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} scenarios, ETA {eta}  {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let timeout = Duration::from_secs_f64(a.timeout);
    let limits = WorkerLimits { timeout, max_memory_mib: a.measure.max_memory_mib };
    // The noise record's reference rows are timed: not in a counts-only run.
    let timed = !a.counts || a.with_time;
    // Whole milliseconds: a short decimal reads back from JSON exactly (the --export-json
    // of a run is byte for byte what `report -f json` renders from its file).
    let secs = |d: std::time::Duration| (d.as_secs_f64() * 1e3).round() / 1e3;
    let clock = std::time::Instant::now();
    let noise_start =
        if timed { reference_rows(&bar, "start", &guest_file, &scenarios_file, &cfg, a.measure.max_memory_mib) } else { None };
    let mut reference_time = clock.elapsed();
    let mut timings = Vec::new();
    // The timed passes go round the whole plan once per worker process (every runtime's
    // first process, then every runtime's second, ...), not a runtime's processes back to
    // back: a row's processes are then minutes apart, so how far they lie apart includes
    // what the machine does over minutes (a shared VM's neighbours, its speed), which moves
    // two back-to-back runs and which two adjacent processes both missed (2026-11-29:
    // wasm3's string rows agreed within 4% across their adjacent processes and moved +12%
    // to the next run).
    let mut worker_time = vec![Duration::ZERO; runs.len()];
    // A worker run's guest file and variant, whether it is the primary variant, the user's
    // scenario file (not for the native baselines nor the crossing reference) and the
    // scenario list the worker reads.
    let worker_run = |vi: usize, i: usize| {
        let runtime = &plan[i].1;
        let own = runtime != "native" && !(crossing_reference && vi > 0);
        let scenarios = if crossing_reference && vi > 0 { &builtin_file } else { &scenarios_file };
        (&variant_files[vi], &variants[vi].info, vi == 0, plugin.as_ref().filter(|_| own).map(|(p, _, _)| p.as_path()), scenarios)
    };
    for process in 0..timed_passes {
        // The Go rows that keep every sample and that a stretch of the machine's slow state
        // covered in the passes so far are measured again, whole, in this one.
        let again = if process > 0 { remeasure_plan(&results.results) } else { BTreeMap::new() };
        for (slot, &(vi, i)) in runs.iter().enumerate() {
            let (host, runtime, _) = &plan[i];
            let planned = names_of(vi, i);
            let (guest_file, variant, primary, plugin_file, list_file) = worker_run(vi, i);
            let clock = std::time::Instant::now();
            // A later process skips the scenarios whose worker hung or died in an earlier
            // one (a guest that never returns is not waited for twice).
            let own = if primary { String::new() } else { variant.name.clone() };
            let scenarios: Vec<String> = planned
                .iter()
                .filter(|s| {
                    process == 0
                        || !results.failures.iter().any(|f| {
                            f.host == host.name && &f.runtime == runtime && &f.scenario == *s && f.api.is_empty() && f.guest_variant == own
                        })
                })
                .cloned()
                .collect();
            bar.inc((planned.len() - scenarios.len()) as u64);
            // The crossing reference only where the file's cases gave a row to split.
            let splits_nothing = crossing_reference
                && vi > 0
                && !results.results.iter().any(|r| r.key.host == host.name && &r.key.runtime == runtime && r.key.guest_variant == variants[0].info.name);
            if splits_nothing {
                bar.inc(scenarios.len() as u64);
                continue;
            }
            if scenarios.is_empty() {
                continue;
            }
            let scenarios = &scenarios;
            let laps = Laps::default();
            let mut sink =
                Sink { results: &mut results, path: &out_path, bar: &bar, gc_on: false, counting: false, variant, primary, laps, process };
            // The row's whole budget, and which process of how many this is: the worker takes
            // its share (the Go host's keeps a row whose calls make work for the collector whole,
            // in the first process only, and in a later one that `again` names for it).
            let split = (processes > 1).then_some((processes, process));
            let remeasure = again.get(&(host.name.to_string(), runtime.clone(), variant.name.clone())).map(Vec::as_slice).unwrap_or_default();
            let work = Work { split, remeasure, counts: None };
            drive(host, runtime, scenarios, guest_file, list_file, plugin_file, &cfg, &work, &limits, &mut sink)?;
            sink.laps.lap(None);
            for (scenario, took) in std::mem::take(&mut sink.laps.done) {
                timings.push(Timing {
                    part: "scenario".into(),
                    host: host.name.to_string(),
                    runtime: runtime.clone(),
                    guest_variant: variant.name.clone(),
                    scenario,
                    seconds: secs(took),
                });
            }
            worker_time[slot] += clock.elapsed();
        }
    }
    for (slot, &(vi, i)) in runs.iter().enumerate() {
        let (host, runtime, _) = &plan[i];
        let scenarios = names_of(vi, i);
        let (guest_file, variant, primary, plugin_file, list_file) = worker_run(vi, i);
        let clock = std::time::Instant::now();
        // The crossing reference only where the file's cases gave a counted row to split.
        let splits_nothing = crossing_reference
            && vi > 0
            && !results.counts.iter().any(|c| c.key.host == host.name && &c.key.runtime == runtime && c.key.guest_variant == variants[0].info.name);
        if a.counts && splits_nothing {
            bar.inc((scenarios.len() * count_passes(host)) as u64);
        }
        let passes = if a.counts && !splits_nothing { count_passes(host) } else { 0 };
        for gc_on in [false, true].into_iter().take(passes) {
            let pass = CountsPass {
                out_base: work.join(format!("callgrind-{vi}-{i}-{}.out", if gc_on { "gc" } else { "quiet" })),
                work: a.count_work,
                repeats: a.count_repeats,
                go: host.name == "go",
                gc_on,
            };
            let laps = Laps::default();
            let mut sink = Sink { results: &mut results, path: &out_path, bar: &bar, gc_on, counting: true, variant, primary, laps, process: 0 };
            let work = Work { split: None, remeasure: &[], counts: Some(&pass) };
            drive(host, runtime, scenarios, guest_file, list_file, plugin_file, &cfg, &work, &limits, &mut sink)?;
        }
        timings.push(Timing {
            part: "worker".into(),
            host: host.name.to_string(),
            runtime: runtime.clone(),
            guest_variant: variant.name.clone(),
            seconds: secs(worker_time[slot] + clock.elapsed()),
            ..Default::default()
        });
    }
    if !probe_plan.is_empty() {
        let clock = std::time::Instant::now();
        results.capabilities =
            crate::probes::run_all(&probe_plan, &work, &scenarios_file, timeout, a.measure.max_memory_mib, a.reprobe, &bar)?;
        timings.push(Timing { part: "probes".into(), seconds: secs(clock.elapsed()), ..Default::default() });
        if let Some(line) = guard::save_during_run(&results, &out_path, true) {
            say(&bar, line);
        }
    }
    let clock = std::time::Instant::now();
    let noise_end =
        if timed { reference_rows(&bar, "end", &guest_file, &scenarios_file, &cfg, a.measure.max_memory_mib) } else { None };
    reference_time += clock.elapsed();
    if timed {
        timings.push(Timing { part: "reference".into(), seconds: secs(reference_time), ..Default::default() });
        results.timings = timings;
    }
    if let (Some(start), Some(end)) = (noise_start, noise_end) {
        results.noise = Some(interop_core::noise::NoiseRecord { start, end });
    }
    bar.finish_and_clear();

    results.complete = true;
    results.rederive();
    // A last save the disk refuses does not take the report with it: the report below is
    // of every row measured, and the run fails after it, saying what the file holds.
    let unsaved = guard::save(&results, &out_path).err();
    // The HTML report beside the results file (never over it).
    // One the disk refuses is said, not listed as written, and not left half written.
    let mut html_path = guard::html_path(&out_path);
    if let Some(html) = &html_path {
        if let Err(e) = std::fs::write(html, interop_core::export::Html.render(&results).output) {
            eprintln!("interop-bench: cannot write the HTML report {}: {e}", html.display());
            let _ = std::fs::remove_file(html);
            html_path = None;
        }
    }

    drop(guard);

    // A baseline is a copy of the results file: not of one the disk left incomplete.
    let baseline = match &a.save_baseline {
        Some(name) if unsaved.is_none() => Some(crate::baseline::save(name, &out_path)?),
        _ => None,
    };
    // --export-*: the same exporters as `report -f`, from the same loaded results. One that
    // cannot be written (a full disk) is said, is not listed as written below, and fails the
    // run's exit status; the results file is already on disk, and `report -f` rebuilds it.
    let mut written = Vec::new();
    let mut unwritten = Vec::new();
    for (flag, format, path) in &exports {
        let rendered = interop_core::export::by_name(format).expect("an exporter of every --export flag").render(&results);
        match std::fs::write(path, &rendered.output) {
            Ok(()) => written.push((*format, path)),
            Err(e) => {
                eprintln!("interop-bench: {flag}: cannot write {}: {e}", path.display());
                unwritten.push(*format);
            }
        }
    }
    let rendered = crate::cli::terminal(a.intervals, a.detail).render(&results);
    print!("{}", rendered.output);
    eprint!("{}", rendered.notes);
    for n in &notes {
        eprintln!("note: {n}");
    }
    eprintln!("results: {}", out_path.display());
    if let Some(b) = &baseline {
        eprintln!("baseline: {} (compare against it: interop-bench compare {} NEW.json)", b.display(), a.save_baseline.as_deref().unwrap_or(""));
    }
    if let Some(html) = &html_path {
        eprintln!("report:  {}", html.display());
    }
    for (format, path) in &written {
        eprintln!("{format}: {}", path.display());
    }
    let failed: Vec<_> = results.failures.iter().filter(|f| f.is_failure()).collect();
    if !failed.is_empty() {
        eprintln!("interop-bench: {}; every other result is in {}", failure_count(&failed), out_path.display());
    }
    for format in &unwritten {
        eprintln!(
            "interop-bench: the {format} export was not written; the results are in {} and `interop-bench report {} -f {format} -o FILE` writes it",
            out_path.display(),
            out_path.display()
        );
    }
    if let Some(e) = &unsaved {
        eprintln!(
            "interop-bench: the run's last save failed ({e}): {} holds {}; free some space and run again{}",
            out_path.display(),
            guard::held_of(&out_path, results.results.len(), results.failures.len()),
            if a.save_baseline.is_some() { " (no baseline was saved)" } else { "" }
        );
        return Ok(ExitCode::from(2));
    }
    if !failed.is_empty() || !unwritten.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `2 scenario(s) failed on 3 runtime(s) (6 failed row(s) or case(s))`: scenarios by name, runtimes by
/// host and name, and the failure records themselves.
pub fn failure_count(failed: &[&Failure]) -> String {
    let mut scenarios: Vec<&str> = failed.iter().map(|f| f.scenario.as_str()).collect();
    scenarios.sort();
    scenarios.dedup();
    let mut runtimes: Vec<(&str, &str)> = failed.iter().map(|f| (f.host.as_str(), f.runtime.as_str())).collect();
    runtimes.sort();
    runtimes.dedup();
    let mut text = format!("{} scenario(s) failed on {} runtime(s)", scenarios.len(), runtimes.len());
    if failed.len() != scenarios.len() {
        text.push_str(&format!(" ({} failed row(s) or case(s))", failed.len()));
    }
    text
}

/// `host rust: wasmtime, ...; host go: ...`: each host's selectable runtimes once (the
/// native baseline, which every host has and always runs, is left out).
pub fn available_runtimes(hosts: &[Host]) -> String {
    hosts
        .iter()
        .map(|h| {
            let names: Vec<&str> = h.runtimes.iter().map(String::as_str).filter(|r| *r != "native").collect();
            format!("host {}: {}", h.name, names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
        + "; the native baseline of each host always runs"
}

/// A line on stderr above the progress bar (which prints nothing while hidden: --no-progress,
/// or stderr not a terminal).
pub(crate) fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() {
        eprintln!("{line}");
    } else {
        bar.println(line);
    }
}

/// The reference rows of the run's noise record (crate::noise), with a word on the bar.
fn reference_rows(bar: &ProgressBar, when: &str, guest: &Path, scenarios: &Path, cfg: &MeasureConfig, mib: u32) -> Option<Vec<interop_core::results::RawRow>> {
    bar.set_message(format!("reference rows ({when} of the run): this machine's noise"));
    match crate::noise::reference_rows(guest, scenarios, cfg, mib) {
        Ok(rows) => Some(rows),
        Err(e) => {
            say(bar, format!("interop-bench: no noise record for this run: {e}"));
            None
        }
    }
}

/// `--counts` without `--scenarios`: the founding document's cases, the native floor and
/// the bare cgo call (the layer split's first two parts).
pub const DEFAULT_COUNT_SELECTION: &[&str] = &["empty", "ffi_call", "noop", "add", "string_roundtrip/bytes=64"];

/// `valgrind --version`, or why counting is impossible here.
fn valgrind_version() -> Result<String> {
    let out = Command::new("valgrind").arg("--version").output();
    match out {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        _ => bail!("--counts needs valgrind (its callgrind tool), which is not installed: run scripts/install-deps.sh"),
    }
}

/// One worker run under callgrind (docs/counts.md).
struct CountsPass {
    /// callgrind's --callgrind-out-file; the worker reads its dumps `BASE.<k>`.
    out_base: PathBuf,
    work: u64,
    repeats: u32,
    go: bool,
    /// A Go worker's second pass, with the collector on.
    gc_on: bool,
}

impl CountsPass {
    /// `valgrind --tool=callgrind ... PROGRAM`: nothing is instrumented until the worker
    /// starts a counted loop; JIT code is retranslated when it changes; children (the Go
    /// driver's wasmer-go and wasm2go delegates) are counted the same way.
    fn command(&self, program: &Path) -> Command {
        let mut c = Command::new("valgrind");
        c.args([
            "--tool=callgrind",
            "--instr-atstart=no",
            "--smc-check=all-non-file",
            "--trace-children=yes",
            // Not the toolchains a worker may run to build a translated engine once.
            "--trace-children-skip=*/go,*/pkg/tool/*,*/cc,*/gcc*,*/cc1*,*/as,*/ld,*/ld.*,*/collect2,*/wasm2c,*/x86_64-linux-gnu-*",
            "--dump-line=no",
            "--compress-strings=no",
            "--error-exitcode=0",
            "-q",
        ])
        .arg(format!("--callgrind-out-file={}", self.out_base.display()))
        .arg(program);
        c
    }

    /// Go: quiet (no collector, one P, no asynchronous preemption, whose signals callgrind
    /// does not survive), or the collector on with the same P and preemption settings.
    fn env(&self) -> Vec<(String, String)> {
        if !self.go {
            return Vec::new();
        }
        let gogc = if self.gc_on { "100" } else { "off" };
        vec![
            ("GOGC".into(), gogc.into()),
            ("GOMAXPROCS".into(), "1".into()),
            ("GODEBUG".into(), "asyncpreemptoff=1".into()),
        ]
    }
}

/// Seconds a worker run under callgrind is expected to take: start-up (the engine compiles
/// the guest at valgrind's plain speed) plus each row's counted loops (about 50 M
/// instructions a second instrumented). Measured on a 2-core EPYC VM (the default selection
/// on every engine of both hosts: 2.7 min); a guide, not a promise.
fn expected_count_secs(host: &str, runtime: &str, scenarios: &[String], work: u64, repeats: u32) -> f64 {
    let start = match (host, runtime) {
        (_, "native") => 0.5,
        ("go", _) => 2.5,
        (_, r) if r.starts_with("wasmer") => 3.0,
        (_, r) if r.starts_with("wasmtime") => 2.0,
        (_, r) if r.starts_with("wasm2c") => 1.5,
        _ => 1.0,
    };
    // Rows per scenario: call APIs or memory APIs, about two.
    let rows: f64 = scenarios.iter().map(|s| if s == "empty" || s == "ffi_call" { 1.0 } else { 2.0 }).sum();
    let per_row = 0.2 + (work as f64 * 1.5 * repeats as f64 + work as f64 * 0.5) / 50e6;
    start + rows * per_row
}

fn minutes(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else {
        format!("{:.1} min", secs / 60.0)
    }
}

/// The measurement flags of a worker command line (both hosts' workers take the same).
pub fn measure_args(cfg: &MeasureConfig, max_memory_mib: u32) -> Vec<String> {
    [
        ("--warmup-ms", (cfg.warmup.as_secs_f64() * 1e3).to_string()),
        ("--target-sample-ms", (cfg.target_sample.as_secs_f64() * 1e3).to_string()),
        ("--samples", cfg.samples.to_string()),
        ("--precision-pct", (cfg.precision * 100.0).to_string()),
        ("--max-row-ms", (cfg.max_row.as_secs_f64() * 1e3).to_string()),
        ("--max-memory-mib", max_memory_mib.to_string()),
    ]
    .into_iter()
    .flat_map(|(k, v)| [k.to_string(), v])
    .chain((cfg.fast_state && cfg.adaptive()).then(|| "--fast-state".to_string()))
    .collect()
}

/// What bounds a worker: silence before it is declared hung, memory.
pub struct WorkerLimits {
    pub timeout: Duration,
    pub max_memory_mib: u32,
}

/// A Rust panic's message with its causes (the lines between `panicked at` and the
/// backtrace), on one line.
fn panic_message(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines().skip_while(|l| !l.contains("panicked at")).skip(1);
    let msg: Vec<&str> = lines
        .by_ref()
        .map(str::trim)
        .take_while(|l| !l.starts_with("stack backtrace") && !l.starts_with("note:"))
        .filter(|l| !l.is_empty())
        .collect();
    (!msg.is_empty()).then(|| msg.join(" "))
}

/// One line for the terminal from a (possibly multi-line) failure: its first line and,
/// when the cause is further down (a trap under "error while executing at wasm
/// backtrace:", a worker's last stderr line under "the worker died"), its last, without
/// the backtrace frame in front of it.
pub fn one_line(error: &str) -> String {
    let lines: Vec<&str> = error.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last] => format!("{} … {}", first.trim_end_matches(':'), strip_frame(last)),
    }
}

/// `0:     0x60 - <unknown>!<wasm function 1>: wasm trap: ...` → `wasm trap: ...`.
fn strip_frame(line: &str) -> &str {
    let is_frame = line.split_once(':').is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match line.split_once(" - ").and_then(|(_, rest)| rest.split_once(": ")) {
        Some((_, cause)) if is_frame => cause,
        _ => line,
    }
}

/// The line of a dead worker's stderr that says why: a panic, a fatal runtime error, a
/// failed allocation, a signal; else its last line.
pub fn cause_line(stderr: &str) -> Option<&str> {
    const CAUSES: &[&str] =
        &["panic:", "fatal error:", "runtime: ", "memory allocation of", "thread '", "SIGSEGV", "SIGBUS", "error:"];
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    lines().find(|l| CAUSES.iter().any(|c| l.starts_with(c))).or_else(|| lines().next_back())
}

/// Where events go: the results file, saved as rows come (guard::SAVE_EVERY), and the progress bar.
struct Sink<'a> {
    results: &'a mut ResultsFile,
    path: &'a Path,
    bar: &'a ProgressBar,
    /// The collector-on pass of a Go runtime under --counts: its counts fill in the rows'
    /// `gc_on_instructions_per_op`; its not-applicable entries were said by the first pass.
    gc_on: bool,
    /// A worker under callgrind (`--counts`).
    counting: bool,
    /// The guest variant the worker runs: every row is marked with it.
    variant: &'a GuestVariant,
    /// The run's first variant (its failures are the run's, unmarked).
    primary: bool,
    /// Each scenario's wall time in this worker run.
    laps: Laps,
    /// Which of a row's worker processes this is (`run --processes`): a later one's rows
    /// join the first's, and what the first already said is not said again.
    process: usize,
}

/// Each scenario's wall time in a worker run, from its start event to the next one's (or
/// the worker's end), and the scenario running now with the instant it started.
#[derive(Default)]
struct Laps {
    done: Vec<(String, std::time::Duration)>,
    current: Option<(String, std::time::Instant)>,
}

impl Laps {
    /// Ends the running scenario's clock (and starts `next`'s).
    fn lap(&mut self, next: Option<&String>) {
        let now = std::time::Instant::now();
        if let Some((name, t0)) = self.current.take() {
            self.done.push((name, now - t0));
        }
        self.current = next.map(|n| (n.clone(), now));
    }
}

impl Sink<'_> {
    fn event(&mut self, e: Event) -> Result<()> {
        let e = match e {
            Event::Count(mut c) if self.gc_on => {
                c.gc_on_instructions_per_op = std::mem::take(&mut c.instructions_per_op);
                Event::Count(c)
            }
            Event::Failure(f) if self.gc_on && !f.is_failure() => return Ok(()),
            Event::Failure(mut f) if self.gc_on => {
                f.error = format!("with the collector on: {}", f.error);
                Event::Failure(f)
            }
            e => e,
        };
        let e = self.mark(e);
        let e = match e {
            Event::Failure(f) if self.process > 0 && !f.is_failure() => return Ok(()),
            Event::Failure(f)
                if self.process > 0
                    && self.results.failures.iter().any(|g| {
                        (&g.host, &g.runtime, &g.scenario, &g.api, &g.params, &g.guest_variant)
                            == (&f.host, &f.runtime, &f.scenario, &f.api, &f.params, &f.guest_variant)
                    }) =>
            {
                return Ok(());
            }
            Event::Failure(mut f) if self.process > 0 => {
                f.error = format!("in worker process {} of the row: {}", self.process + 1, f.error);
                Event::Failure(f)
            }
            e => e,
        };
        // A variant's not-applicable entry the run's first guest already said (an engine
        // without a copy API) is not said again for every variant.
        if let Event::Failure(f) = &e {
            if !f.is_failure()
                && !self.primary
                && !f.error.contains("WebAssembly SIMD")
                && self.results.not_applicable.iter().any(|n| {
                    n.guest_variant.is_empty() && n.host == f.host && n.runtime == f.runtime && n.scenario == f.scenario && n.api == f.api
                })
            {
                return Ok(());
            }
        }
        let save = matches!(e, Event::Row(_) | Event::Failure(_) | Event::Count(_));
        // A failure is written at once; a row waits for the next save that is due (guard::SAVE_EVERY).
        let failed = matches!(&e, Event::Failure(f) if f.is_failure());
        match &e {
            Event::Start { host, runtime, scenario } => {
                self.laps.lap(Some(scenario));
                self.bar.inc(1);
                let pass = if self.gc_on { " (collector on)".to_string() } else if self.process > 0 { format!(" (process {})", self.process + 1) } else { String::new() };
                self.bar.set_message(format!("{host} {runtime}{pass}: {scenario}"));
            }
            Event::Failure(f) if f.is_failure() => {
                say(self.bar, format!("✗ {}", one_line(&f.error)));
            }
            _ => {}
        }
        match e {
            Event::Row(r) if self.process > 0 => self.results.add_process_row(r),
            e => self.results.apply(e),
        }
        if save {
            // The data only: the cost model (a bootstrap per component) is derived once at
            // the end, and on every load, not after every row while engines are measured.
            if let Some(line) = guard::save_during_run(self.results, self.path, failed) {
                say(self.bar, line);
            }
        } else {
            self.save_pending(false);
        }
        Ok(())
    }

    /// Saves the rows not on disk yet when that is due (`now`: the worker ended).
    fn save_pending(&self, now: bool) {
        if let Some(line) = guard::save_pending(self.results, self.path, now) {
            say(self.bar, line);
        }
    }

    /// Marks an event with the guest variant it ran on. A SIMD build that an engine does not
    /// compile (no WebAssembly SIMD) is not applicable there, with the engine's own words.
    fn mark(&self, e: Event) -> Event {
        let v = &self.variant.name;
        match e {
            Event::Row(mut r) => {
                r.key.guest_variant = v.clone();
                Event::Row(r)
            }
            Event::Count(mut c) => {
                c.key.guest_variant = v.clone();
                Event::Count(c)
            }
            Event::Failure(mut f) if !self.primary => {
                f.guest_variant = v.clone();
                // Rejected at compile, or (wasm3, whose compile is lazy) refused at lookup.
                let compile = ["failed to compile", "compile guest", "cannot run this module"].iter().any(|m| f.error.contains(m))
                    || f.scenario == "compile";
                if self.variant.simd && f.is_failure() && compile {
                    f.status = "not_applicable".into();
                    f.error = format!(
                        "{}: {}: not applicable: guest variant {v} uses WebAssembly SIMD (simd128), which {} rejected: {}",
                        f.runtime,
                        f.scenario,
                        f.runtime,
                        one_line(&f.error)
                    );
                } else {
                    f.error = format!("guest variant {v}: {}", f.error);
                }
                Event::Failure(f)
            }
            e => e,
        }
    }

    fn fail(&mut self, host: &str, runtime: &str, scenario: &str, error: String) -> Result<()> {
        // Under --counts, a worker that dies under valgrind (an engine valgrind cannot run:
        // a reservation it refuses, an instruction it does not know) is not applicable
        // there, with the worker's last words as the reason; a hang stays a failure.
        let na = self.counting && !error.contains("no answer for");
        let error = if na {
            let why: Vec<&str> = error.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            format!("{runtime}: {scenario}: not applicable under valgrind (callgrind cannot run it here): {}", why.join(" "))
        } else {
            error
        };
        self.event(Event::Failure(Failure {
            host: host.into(),
            runtime: runtime.into(),
            scenario: scenario.into(),
            api: String::new(),
            params: Params::new(),
            export: String::new(),
            error,
            guest_variant: String::new(),
            status: if na { "not_applicable".into() } else { "failed".into() },
        }))
    }
}

enum Msg {
    Line(String),
    Eof,
}

/// TEST ONLY: `INTEROP_TEST_REMEASURE=1` has `run` measure again, in every later worker
/// process, every Go row that keeps every sample, as if a stretch of the machine's slow
/// state had covered each (crates/cli/tests/run_and_report.rs checks the attempts without
/// waiting for a slow machine). Never set it for a measurement.
pub const REMEASURE_ENV: &str = "INTEROP_TEST_REMEASURE";

/// Which rows each worker (host, runtime, guest build) is to measure again, whole, by
/// `--remeasure` id ([`interop_core::results::RowKey::remeasure_id`]): the rows that keep
/// every sample (the Go host's rows whose calls make work for the collector) and that a
/// stretch of the machine's slow state covered, judged, as on load, against the host's
/// fastest reading so far (`ResultRow::worth_remeasuring`; their attempt least in the slow
/// state, once measured again).
fn remeasure_plan(rows: &[ResultRow]) -> BTreeMap<(String, String, String), Vec<String>> {
    let every = std::env::var_os(REMEASURE_ENV).is_some_and(|v| v == "1");
    let fast = interop_core::results::host_fast_states(rows);
    let mut plan: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.keeps_every_sample()) {
        let host_fast = fast.get(&r.key.host).copied();
        let again = every || host_fast.is_some_and(|f| ResultRow::from_raw_in(r.raw(), Some(f)).worth_remeasuring(f));
        if again {
            plan.entry((r.key.host.clone(), r.key.runtime.clone(), r.key.guest_variant.clone())).or_default().push(r.key.remeasure_id());
        }
    }
    plan
}

/// What a worker is asked to do besides its scenarios: which of a row's processes it is
/// (`run --processes`), the rows it is to measure again whole ([`remeasure_plan`]), or an
/// instruction-counting pass instead of timing.
struct Work<'a> {
    split: Option<(usize, usize)>,
    remeasure: &'a [String],
    counts: Option<&'a CountsPass>,
}

/// Runs `scenarios` on one runtime in worker processes; a worker that hangs or crashes
/// loses its in-flight scenario only, and a fresh one carries on with the rest.
#[allow(clippy::too_many_arguments)]
fn drive(
    host: &Host,
    runtime: &str,
    scenarios: &[String],
    guest: &Path,
    scenarios_file: &Path,
    plugin_file: Option<&Path>,
    cfg: &MeasureConfig,
    work: &Work<'_>,
    limits: &WorkerLimits,
    sink: &mut Sink,
) -> Result<()> {
    let Work { split, remeasure, counts } = *work;
    let timeout = limits.timeout;
    let mut remaining: Vec<String> = scenarios.to_vec();
    while !remaining.is_empty() {
        let mut cmd = match counts {
            Some(p) => p.command(&host.program),
            None => Command::new(&host.program),
        };
        cmd.args(&host.prefix)
            .arg("--runtime")
            .arg(runtime)
            .arg("--guest")
            .arg(guest)
            .arg("--scenarios-file")
            .arg(scenarios_file)
            .args(measure_args(cfg, limits.max_memory_mib));
        if let Some((n, k)) = split {
            cmd.args(["--processes", &n.to_string(), "--process", &k.to_string()]);
        }
        for id in remeasure {
            cmd.args(["--remeasure", id]);
        }
        for s in &remaining {
            cmd.args(["--scenario", s]);
        }
        if let Some(p) = plugin_file {
            cmd.arg("--plugin-file").arg(p);
        }
        if let Some(p) = counts {
            cmd.arg("--counts-out")
                .arg(&p.out_base)
                .args(["--count-work", &p.work.to_string()])
                .args(["--count-repeats", &p.repeats.to_string()]);
        }
        guard::worker_command(&mut cmd, limits.max_memory_mib);
        let mut child = cmd
            // The worker exits when this pipe closes: when the run ends or is killed.
            .env(crate::worker::WATCH_STDIN, "1")
            // A Go worker's garbage collector works harder before it reaches the OS limit.
            .env("GOMEMLIMIT", format!("{}MiB", (guard::worker_data_limit(limits.max_memory_mib) >> 20) * 3 / 4))
            .envs(counts.map(|p| p.env()).unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start the {} worker {}", host.name, host.program.display()))?;
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if tx.send(Msg::Line(l)).is_err() {
                            return;
                        }
                    }
                    Err(_) => break,
                }
            }
            let _ = tx.send(Msg::Eof);
        });
        let mut stderr = child.stderr.take().expect("piped");
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });

        let mut in_flight: Option<String> = None;
        let mut hung = false;
        // The worker's last word: it is hung after `timeout` of silence. Meanwhile the run
        // looks every guard::POLL whether the rows it holds are due to be saved.
        let mut heard = std::time::Instant::now();
        loop {
            let wait = timeout.saturating_sub(heard.elapsed()).min(guard::POLL);
            match rx.recv_timeout(wait) {
                Ok(Msg::Line(line)) => {
                    heard = std::time::Instant::now();
                    match serde_json::from_str::<Event>(&line) {
                        Ok(ev) => {
                            if let Event::Start { scenario, .. } = &ev {
                                if let Some(pos) = remaining.iter().position(|s| s == scenario) {
                                    remaining.drain(..=pos);
                                }
                                in_flight = Some(scenario.clone());
                            }
                            sink.event(ev)?;
                        }
                        Err(e) => {
                            let scenario = in_flight.clone().unwrap_or_default();
                            sink.fail(host.name, runtime, &scenario, format!("{runtime}: {scenario}: the worker printed a line that is not an event ({e}): {line}"))?;
                        }
                    }
                }
                Ok(Msg::Eof) => break,
                Err(mpsc::RecvTimeoutError::Timeout) if heard.elapsed() < timeout => {
                    sink.save_pending(false);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    hung = true;
                    let _ = child.kill();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait().ok();
        let stderr_text = err_thread.join().unwrap_or_default();
        let tail: String = stderr_text.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        // Under callgrind, a worker that dies says why in a panic message above its backtrace.
        let tail = match counts.and_then(|_| panic_message(&stderr_text)) {
            Some(m) => m,
            None => tail,
        };
        let scenario = in_flight.clone().unwrap_or_else(|| remaining.first().cloned().unwrap_or_default());
        if hung {
            sink.fail(
                host.name,
                runtime,
                &scenario,
                format!(
                    "{runtime}: {scenario}: no answer for {:.0} s (a guest that never returns?); the worker was stopped and the run goes on",
                    timeout.as_secs_f64()
                ),
            )?;
        } else if !status.map(|s| s.success()).unwrap_or(false) {
            sink.fail(
                host.name,
                runtime,
                &scenario,
                format!(
                    "{runtime}: {scenario}: the worker died ({}){}{}{}",
                    status.map(|s| s.to_string()).unwrap_or_default(),
                    match cause_line(&stderr_text) {
                        Some(c) => format!(": {c}"),
                        None => String::new(),
                    },
                    if cause_line(&stderr_text).is_some_and(|c| c.contains("allocat") || c.contains("out of memory")) {
                        format!(
                            " (each worker may use {} MiB of data: --max-memory-mib {} sets it)",
                            guard::worker_data_limit(limits.max_memory_mib) >> 20,
                            limits.max_memory_mib
                        )
                    } else {
                        String::new()
                    },
                    if tail.is_empty() { String::new() } else { format!("\nits last words:\n{tail}") }
                ),
            )?;
        } else if !remaining.is_empty() {
            // A clean exit that skipped scenarios: report them instead of looping.
            for s in std::mem::take(&mut remaining) {
                sink.fail(host.name, runtime, &s, format!("{runtime}: {s}: the worker exited without running it"))?;
            }
        }
        if in_flight.is_none() && !remaining.is_empty() {
            // It died before starting anything: retrying would fail the same way.
            for s in std::mem::take(&mut remaining) {
                sink.fail(host.name, runtime, &s, format!("{runtime}: {s}: the worker failed before running any scenario{}",
                    if tail.is_empty() { String::new() } else { format!(":\n{tail}") }))?;
            }
        }
    }
    // Between workers nothing is measured: the rows this one left pending go to disk now.
    sink.save_pending(true);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trap_under_a_backtrace_is_shown_with_its_cause() {
        let e = "wasmtime: noop: export `no_op`: error while executing at wasm backtrace:\n    0:     0x60 - <unknown>!<wasm function 1>: wasm trap: wasm `unreachable` instruction executed";
        assert_eq!(
            one_line(e),
            "wasmtime: noop: export `no_op`: error while executing at wasm backtrace … wasm trap: wasm `unreachable` instruction executed"
        );
        assert_eq!(one_line("wasmi: add: growth operation limited"), "wasmi: add: growth operation limited");
    }

    #[test]
    fn a_dead_workers_cause_is_its_panic_not_its_register_dump() {
        let go = "panic: cannot allocate memory\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1\nrip    0x0\ngs     0x0\n";
        assert_eq!(cause_line(go), Some("panic: cannot allocate memory"));
        let rust = "memory allocation of 4294967296 bytes failed\n";
        assert_eq!(cause_line(rust), Some("memory allocation of 4294967296 bytes failed"));
        assert_eq!(cause_line("something\nlast words\n"), Some("last words"));
        assert_eq!(cause_line(""), None);
    }
}
