//! What each engine gives up, measured: the small bad guests of `scenarios/probes/` run on
//! each selected engine, each in a worker of its own (the same workers `run` measures
//! with), and what the worker did becomes a [`ProbeOutcome`] in the results file.
//!
//! Each probe runs the scenarios `add` (whose `add_numbers` misbehaves) and then
//! `instantiate` (to see the worker go on). The worker gets [`INTERRUPT_ENV`]: engines that
//! can stop a guest from inside are configured to after [`INTERRUPT_MS`]; a probe silent
//! for [`HANG_S`] after its scenario started is declared hung and its worker killed.

use crate::guard;
use crate::orchestrate::{cause_line, Host};
use anyhow::{Context, Result};
use interop_core::capabilities::{Outcome, ProbeOutcome, PROBES};
use interop_core::results::Event;
use interop_host::limits::INTERRUPT_ENV;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// After this many ms an engine that can interrupt a guest from inside does.
pub const INTERRUPT_MS: u64 = 250;
/// Seconds of silence after the `loop` probe's scenario started before its worker is killed
/// (eight times [`INTERRUPT_MS`]: an engine that interrupts, or runs out of fuel, is not taken for hung on a busy CI box).
pub const HANG_S: f64 = 2.0;
/// Engines probed at the same time: the probes time nothing (a hung guest spins one core
/// until it is killed), so a run's two cores take two engines at once.
pub const PROBE_JOBS: usize = 2;
/// The same for the other probes, which end by themselves (Go grows a goroutine's stack to
/// 1 GB before infinite recursion kills it: seconds on a loaded machine).
pub const OTHER_HANG_S: f64 = 30.0;

/// The probe guests' sources, built into this binary and encoded with the `wat` crate
/// (which does not type-check, so `invalid` stays invalid).
const SOURCES: &[(&str, &str)] = &[
    ("invalid", include_str!("../../../scenarios/probes/invalid.wat")),
    ("trap", include_str!("../../../scenarios/probes/trap.wat")),
    ("oob", include_str!("../../../scenarios/probes/oob.wat")),
    ("recursion", include_str!("../../../scenarios/probes/recursion.wat")),
    ("loop", include_str!("../../../scenarios/probes/loop.wat")),
    ("simd", include_str!("../../../scenarios/probes/simd.wat")),
];

/// The binary of probe `name`.
pub fn module(name: &str) -> Result<Vec<u8>> {
    let (_, src) = SOURCES.iter().find(|(n, _)| *n == name).with_context(|| format!("no probe named `{name}`"))?;
    wat::parse_str(src).with_context(|| format!("scenarios/probes/{name}.wat does not encode"))
}

/// Writes every probe's module into `work` (as `probe-<name>.wasm`).
pub fn write_modules(work: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    PROBES
        .iter()
        .map(|(name, _)| {
            let path = work.join(format!("probe-{name}.wasm"));
            std::fs::write(&path, module(name)?).with_context(|| format!("cannot write {}", path.display()))?;
            Ok((name.to_string(), path))
        })
        .collect()
}

enum Msg {
    Line(String),
    Eof,
}

/// Runs one probe on one runtime. `timeout` bounds the time before the probe's scenario
/// starts (a translated engine translates and builds the probe first).
#[allow(clippy::too_many_arguments)]
pub fn run_probe(
    host: &Host,
    runtime: &str,
    probe: &str,
    guest: &Path,
    scenarios_file: &Path,
    timeout: Duration,
    max_memory_mib: u32,
    hang: Duration,
) -> ProbeOutcome {
    let outcome = |o: Outcome, detail: String, seconds: f64| ProbeOutcome {
        reused_from_unix: None,
        host: host.name.into(),
        runtime: runtime.into(),
        probe: probe.into(),
        outcome: o,
        detail,
        seconds,
    };
    let mut cmd = Command::new(&host.program);
    cmd.args(&host.prefix)
        .args(["--runtime", runtime, "--guest"])
        .arg(guest)
        .arg("--scenarios-file")
        .arg(scenarios_file)
        .args(["--scenario", "add", "--scenario", "instantiate"])
        .args(["--warmup-ms", "0", "--target-sample-ms", "0.05", "--samples", "2"])
        .args(["--max-memory-mib", &max_memory_mib.to_string()]);
    guard::worker_command(&mut cmd, max_memory_mib);
    let child = cmd
        .env(crate::worker::WATCH_STDIN, "1")
        .env(INTERRUPT_ENV, INTERRUPT_MS.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return outcome(Outcome::NotRun, format!("cannot start the {} worker: {e}", host.name), 0.0),
    };
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(l) = line else { break };
            if tx.send(Msg::Line(l)).is_err() {
                return;
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

    let mut started: Option<Instant> = None;
    let (mut rows, mut went_on, mut hung) = (0usize, false, false);
    // (api, error) of each failure of `add`, and its not-applicable reasons.
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut not_applicable: Vec<String> = Vec::new();
    let mut elapsed: f64 = 0.0;
    loop {
        let wait = if started.is_some() { hang } else { timeout };
        match rx.recv_timeout(wait) {
            Ok(Msg::Line(line)) => {
                let Ok(ev) = serde_json::from_str::<Event>(&line) else { continue };
                match ev {
                    Event::Start { scenario, .. } if scenario == "add" => started = Some(Instant::now()),
                    Event::Start { .. } => went_on = true,
                    Event::Row(r) if r.key.scenario == "add" => rows += 1,
                    Event::Failure(f) if f.scenario == "add" => {
                        if f.is_failure() {
                            failures.push((f.api, f.error));
                        } else {
                            not_applicable.push(f.error);
                        }
                    }
                    _ => {}
                }
                // The time to the first answer of `add` (its first API path).
                if elapsed == 0.0 && (rows > 0 || !failures.is_empty()) {
                    elapsed = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
                }
            }
            Ok(Msg::Eof) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                elapsed = started.map_or(wait.as_secs_f64(), |s| s.elapsed().as_secs_f64());
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().ok();
    let stderr = err_thread.join().unwrap_or_default();
    let ok = status.is_some_and(|s| s.success());
    let first = |v: &[(String, String)]| v.first().map(|(_, e)| one(e)).unwrap_or_default();
    if hung {
        let what = if started.is_some() { "no answer" } else { "no scenario started" };
        return outcome(Outcome::Hung, format!("{what} after {} s: the worker was killed", wait_s(started, hang, timeout)), elapsed);
    }
    if !ok {
        let why = format!(
            "{}{}",
            status.map(|s| s.to_string()).unwrap_or_else(|| "no exit status".into()),
            cause_line(&stderr).map(|c| format!(": {}", clip(c, 80))).unwrap_or_default()
        );
        return match failures.first() {
            Some((api, e)) if !api.is_empty() => {
                // Every API path that contained it before one let it kill the worker.
                let mut apis: Vec<&str> = Vec::new();
                for (a, _) in &failures {
                    if !a.is_empty() && !apis.contains(&a.as_str()) {
                        apis.push(a);
                    }
                }
                outcome(
                    Outcome::PartlyContained,
                    format!("{}: contained; then the worker died ({why}); the contained error: {}", apis.join(", "), short(e)),
                    elapsed,
                )
            }
            _ => outcome(Outcome::WorkerDied, why, elapsed),
        };
    }
    if rows > 0 {
        return outcome(Outcome::Ran, format!("{rows} row(s) measured"), elapsed);
    }
    if let Some((_, e)) = failures.iter().find(|(api, e)| api.is_empty() && is_rejection(e)) {
        return outcome(Outcome::Rejected, one(e), elapsed);
    }
    if !failures.is_empty() {
        let o = if probe == "loop" { Outcome::Interrupted } else { Outcome::Contained };
        let detail = if went_on { first(&failures) } else { format!("{} (the worker stopped there)", first(&failures)) };
        return outcome(o, detail, elapsed);
    }
    let why = not_applicable.first().map(|e| one(e)).unwrap_or_else(|| "no row and no failure".into());
    outcome(Outcome::NotRun, why, elapsed)
}

fn wait_s(started: Option<Instant>, hang: Duration, timeout: Duration) -> f64 {
    if started.is_some() { hang } else { timeout }.as_secs_f64()
}

/// A compile, validation or translation failure (the module refused), in either host's words.
fn is_rejection(e: &str) -> bool {
    ["failed to compile", "compile guest", "rejected the module", "could not translate the module"]
        .iter()
        .any(|m| e.contains(m))
}

/// The failure's cause in one line (the last line of a backtrace is its cause).
fn one(e: &str) -> String {
    short(&crate::orchestrate::one_line(e))
}

fn short(e: &str) -> String {
    clip(e.lines().next().unwrap_or(""), 200)
}

fn clip(l: &str, n: usize) -> String {
    match l.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &l[..i]),
        None => l.to_string(),
    }
}

/// Where an engine's probe outcomes are kept for later runs, and under which key: the
/// sha256 of everything that decides them (the worker's program, by path and bytes, and its
/// arguments; the engine; the probe guests and the scenario file; the memory limit and the
/// interrupt and hang bounds; this tool's version). The same binaries give the same
/// outcomes, so a second run does not spend its probes' seconds again (about 25 s for every
/// engine of both hosts: 11 engines can only be killed, 2 s each).
struct ProbeCache {
    dir: std::path::PathBuf,
    /// sha256 of each program's bytes, read once per run.
    programs: std::sync::Mutex<std::collections::BTreeMap<std::path::PathBuf, String>>,
}

impl ProbeCache {
    fn new() -> Option<ProbeCache> {
        let dir = crate::gocache::tool_cache("probes").ok()?;
        Some(ProbeCache { dir, programs: Default::default() })
    }

    fn key(&self, host: &Host, runtime: &str, modules: &[(String, Vec<u8>)], scenarios: &[u8], max_memory_mib: u32) -> Result<String> {
        use sha2::{Digest, Sha256};
        let program = {
            let mut known = self.programs.lock().unwrap_or_else(|e| e.into_inner());
            match known.get(&host.program) {
                Some(h) => h.clone(),
                None => {
                    let bytes = std::fs::read(&host.program).with_context(|| format!("cannot read {}", host.program.display()))?;
                    let h = format!("{:x}", Sha256::digest(&bytes));
                    known.insert(host.program.clone(), h.clone());
                    h
                }
            }
        };
        let mut h = Sha256::new();
        let mut part = |b: &[u8]| {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        };
        part(env!("CARGO_PKG_VERSION").as_bytes());
        part(host.program.to_string_lossy().as_bytes());
        part(program.as_bytes());
        for a in &host.prefix {
            part(a.as_bytes());
        }
        part(runtime.as_bytes());
        for (name, wasm) in modules {
            part(name.as_bytes());
            part(wasm);
        }
        part(scenarios);
        part(format!("{max_memory_mib} {INTERRUPT_MS} {HANG_S} {OTHER_HANG_S}").as_bytes());
        Ok(format!("{:x}", h.finalize()))
    }

    fn get(&self, key: &str) -> Option<Vec<ProbeOutcome>> {
        // {"probed_unix": when, "outcomes": [...]}; anything else is not a cache entry.
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(self.dir.join(format!("{key}.json"))).ok()?).ok()?;
        let when = v.get("probed_unix")?.as_u64()?;
        let outs: Vec<ProbeOutcome> = serde_json::from_value(v.get_mut("outcomes")?.take()).ok()?;
        (!outs.is_empty()).then(|| outs.into_iter().map(|o| ProbeOutcome { reused_from_unix: Some(when), ..o }).collect())
    }

    /// Kept only when every probe ran to an outcome of the engine's (not when a worker
    /// could not even start). A cache that cannot be written costs the next run its probes,
    /// nothing else: it is said above the progress bar.
    fn put(&self, key: &str, outcomes: &[ProbeOutcome], bar: &indicatif::ProgressBar) {
        if outcomes.iter().any(|o| o.outcome == Outcome::NotRun) {
            return;
        }
        let probed_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let write = || -> Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
            serde_json::to_writer(&tmp, &serde_json::json!({ "probed_unix": probed_unix, "outcomes": outcomes }))?;
            tmp.persist(self.dir.join(format!("{key}.json")))?;
            Ok(())
        };
        if let Err(e) = write() {
            crate::orchestrate::say(
                bar,
                format!("note: the capability probes' outcomes could not be kept in {} for later runs: {e:#}", self.dir.display()),
            );
        }
    }
}

/// Every probe on every `(host, runtime)`, in order; progress on stderr. An engine whose
/// probes an earlier run of the same binaries already ran is not probed again (its outcomes
/// say so in `reused_from_unix`) unless `reprobe`.
#[allow(clippy::too_many_arguments)]
pub fn run_all(
    plan: &[(&Host, String)],
    work: &Path,
    scenarios_file: &Path,
    timeout: Duration,
    max_memory_mib: u32,
    reprobe: bool,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<ProbeOutcome>> {
    let modules = write_modules(work)?;
    let cache = ProbeCache::new();
    let bytes: Vec<(String, Vec<u8>)> =
        modules.iter().map(|(n, p)| Ok((n.clone(), std::fs::read(p)?))).collect::<Result<_>>()?;
    let scenarios = std::fs::read(scenarios_file).with_context(|| format!("cannot read {}", scenarios_file.display()))?;
    let key_of = |host: &Host, runtime: &str| cache.as_ref().and_then(|c| c.key(host, runtime, &bytes, &scenarios, max_memory_mib).ok());
    // Engines are handed out one at a time to PROBE_JOBS threads; each engine's probes run
    // in order, and the outcomes are put back in the plan's order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: std::sync::Mutex<Vec<Option<Vec<ProbeOutcome>>>> = std::sync::Mutex::new(vec![None; plan.len()]);
    std::thread::scope(|s| {
        for _ in 0..PROBE_JOBS.min(plan.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((host, runtime)) = plan.get(i) else { break };
                let key = key_of(host, runtime);
                let known = if reprobe { None } else { key.as_ref().and_then(|k| cache.as_ref()?.get(k)) };
                let outs = match known {
                    Some(outs) => outs,
                    None => {
                        let mut outs = Vec::new();
                        for (name, path) in &modules {
                            bar.set_message(format!("{} {runtime}: capability probe `{name}`", host.name));
                            let hang = Duration::from_secs_f64(if name == "loop" { HANG_S } else { OTHER_HANG_S });
                            outs.push(run_probe(host, runtime, name, path, scenarios_file, timeout, max_memory_mib, hang));
                        }
                        if let (Some(c), Some(k)) = (&cache, &key) {
                            c.put(k, &outs, bar);
                        }
                        outs
                    }
                };
                bar.inc(1);
                done.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outs);
            });
        }
    });
    Ok(done.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probe_encodes_and_only_invalid_fails_validation() {
        for (name, _) in PROBES {
            let wasm = module(name).unwrap();
            let valid = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&wasm).is_ok();
            assert_eq!(valid, *name != "invalid", "{name}");
        }
    }

    #[test]
    fn rejections_are_told_from_traps() {
        assert!(is_rejection("wasmi: add: the module failed to compile: type mismatch"));
        assert!(is_rejection("wasm2go: add: wasm2go v0.4.22 rejected the module (it cannot be translated to Go): v128"));
        assert!(!is_rejection("wasmtime: add: export `add_numbers`: wasm trap: wasm `unreachable` instruction executed"));
        assert!(!is_rejection(
            "wasm2go: add: call to export add_numbers failed: wasm trap (a Go panic in the translated code, recovered): unreachable"
        ));
    }
}
