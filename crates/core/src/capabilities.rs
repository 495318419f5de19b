//! What each engine gives up, measured: the outcomes of the small bad guests
//! (`scenarios/probes/*.wat`) run on every selected engine in its own worker (the results
//! file's `capabilities`, data), and the table derived from them (`derived.capabilities`).

use serde::{Deserialize, Serialize};

/// The probes, in the order they run, with what each guest's `add_numbers` does.
pub const PROBES: &[(&str, &str)] = &[
    ("invalid", "an invalid module (i64.add on i32 operands): an engine that validates rejects it"),
    ("trap", "`unreachable`"),
    ("oob", "a load near 2 GiB in a 64 KiB memory"),
    ("recursion", "infinite recursion (stack exhaustion)"),
    ("loop", "a loop that never returns"),
    ("simd", "i32x4 lanes (SIMD): correct if it runs"),
];

/// What happened to one probe on one engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Rows were measured: the guest ran (and, for `simd` and `invalid`, was accepted).
    Ran,
    /// The engine refused the module (validation, decoding, translation).
    Rejected,
    /// The guest's failure came back as an error and the worker went on.
    Contained,
    /// A guest that never returns was stopped from inside the engine (fuel, epoch,
    /// context) and the worker went on.
    Interrupted,
    /// Contained on the first API path, then the worker died on a later one.
    PartlyContained,
    /// The worker process ended.
    WorkerDied,
    /// The worker neither answered nor stopped within the hang budget and was killed.
    Hung,
    /// The probe could not run (e.g. the worker could not start); the reason is in `detail`.
    NotRun,
}

/// One probe's outcome on one engine (data: what the orchestrator saw the worker do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    pub host: String,
    pub runtime: String,
    /// One of [`PROBES`].
    pub probe: String,
    pub outcome: Outcome,
    /// The engine's message, the worker's exit status and last words, or the budget.
    #[serde(default)]
    pub detail: String,
    /// Seconds from the start of the probe's scenario to its outcome.
    #[serde(default)]
    pub seconds: f64,
    /// Set when this run did not probe the engine but reused what an earlier run of the
    /// same binaries, probe guests and bounds saw (`run --reprobe` probes again): when that
    /// run probed it, in Unix seconds. Absent: probed in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from_unix: Option<u64>,
}

/// A cell of the table: whether the engine has the property, and what was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapCell {
    /// `yes`, `no`, `partly`, or `unknown` (not probed in this run).
    pub verdict: String,
    pub text: String,
}

impl CapCell {
    fn new(verdict: &str, text: impl Into<String>) -> Self {
        CapCell { verdict: verdict.into(), text: text.into() }
    }
}

/// The capability table's row for one engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityRow {
    pub host: String,
    pub runtime: String,
    pub validates: CapCell,
    pub traps: CapCell,
    pub interrupts: CapCell,
    pub stack: CapCell,
    pub memory: CapCell,
    pub simd: CapCell,
}

impl CapabilityRow {
    /// `(column, cell)` in the table's order.
    pub fn cells(&self) -> [(&'static str, &CapCell); 6] {
        [
            ("validates untrusted modules", &self.validates),
            ("contains a trap", &self.traps),
            ("interrupts a runaway guest", &self.interrupts),
            ("contains stack exhaustion", &self.stack),
            ("memory accesses checked by", &self.memory),
            ("SIMD", &self.simd),
        ]
    }

    /// What this engine gives up, in a phrase (the cells that are not `yes`), or empty.
    pub fn gives_up(&self) -> String {
        let mut v = Vec::new();
        if self.validates.verdict == "no" {
            v.push("no validation (trusted modules only)".to_string());
        }
        let only_through = |what: &str, c: &CapCell| match c.verdict.as_str() {
            // "guarded, guarded_batch: contained; then the worker died (...)": the API paths
            // that contain it.
            "partly" => Some(format!(
                "{what} is contained only through {}; another path lets it kill the process",
                c.text.split(':').next().unwrap_or("").split(", ").map(|a| format!("`{a}`")).collect::<Vec<_>>().join(" or ")
            )),
            "no" => Some(format!("{what} {}", c.text)),
            _ => None,
        };
        v.extend(only_through("a trap", &self.traps));
        if self.interrupts.verdict == "no" {
            v.push("a runaway guest is stopped only by killing the process".to_string());
        }
        v.extend(only_through("stack exhaustion", &self.stack));
        if self.simd.verdict == "no" {
            v.push("no SIMD".to_string());
        }
        v.join("; ")
    }
}

/// How an engine (as configured by its adapter) checks linear-memory accesses: a fact of
/// its configuration, not probed (the `oob` probe shows whether the check contains the fault).
pub fn memory_checks(runtime: &str) -> &'static str {
    match runtime {
        "wasmtime" | "wasmtime:winch" | "wasmtime:pooling" | "wasmtime-go" | "wasmtime-capi" | "wasmer"
        | "wasmer:singlepass" | "wasmer-go" | "wasm2c" => "guard pages (a signal handler catches the fault)",
        "wasmtime:pulley" => "explicit checks (Pulley interpreter)",
        "wasmi" | "wasmi:eager" | "wasm3" | "tinywasm" | "wazero:interpreter" => "explicit checks (interpreter)",
        "wazero:compiler" => "explicit checks in the generated code",
        "wasm2c:bounds" => "explicit checks in the generated C",
        "wasmtime:bounds" => "explicit checks in the generated code (no guard pages, no signal-based traps)",
        "wasmer:bounds" | "wasmer:singlepass:bounds" => "explicit checks in the generated code (dynamic memory, no guard pages)",
        "wasm2go" => "Go's own slice bounds checks (a trap is a Go panic)",
        _ => "not known to this build",
    }
}

fn first_line(s: &str) -> &str {
    let l = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match l.char_indices().nth(110) {
        Some((i, _)) => &l[..i],
        None => l,
    }
}

/// The table, one row per (host, runtime) in the order first probed.
pub fn table(outcomes: &[ProbeOutcome]) -> Vec<CapabilityRow> {
    let mut engines: Vec<(&str, &str)> = Vec::new();
    for o in outcomes {
        if !engines.contains(&(o.host.as_str(), o.runtime.as_str())) {
            engines.push((&o.host, &o.runtime));
        }
    }
    engines
        .into_iter()
        .map(|(host, runtime)| {
            let get = |p: &str| outcomes.iter().find(|o| o.host == host && o.runtime == runtime && o.probe == p);
            let unknown = || CapCell::new("unknown", "not probed");
            let died = |o: &ProbeOutcome| format!("kills the worker ({})", first_line(&o.detail));
            let contained = |p: &str| match get(p) {
                None => unknown(),
                Some(o) => match o.outcome {
                    Outcome::Contained | Outcome::Interrupted => CapCell::new("yes", "yes"),
                    Outcome::PartlyContained => {
                        CapCell::new("partly", o.detail.split("; the contained error").next().unwrap_or(""))
                    }
                    Outcome::WorkerDied => CapCell::new("no", died(o)),
                    Outcome::Hung => CapCell::new("no", format!("hangs the worker ({})", o.detail)),
                    Outcome::Ran => CapCell::new("no", "ran without a trap"),
                    Outcome::Rejected => CapCell::new("unknown", format!("module rejected: {}", first_line(&o.detail))),
                    Outcome::NotRun => CapCell::new("unknown", format!("not run: {}", first_line(&o.detail))),
                },
            };
            let validates = match get("invalid") {
                None => unknown(),
                Some(o) => match o.outcome {
                    Outcome::Rejected => CapCell::new("yes", "yes"),
                    Outcome::Ran | Outcome::Contained => CapCell::new("no", "no: ran an invalid module"),
                    Outcome::WorkerDied | Outcome::PartlyContained => CapCell::new("no", died(o)),
                    Outcome::Hung => CapCell::new("no", "no: hung on an invalid module"),
                    _ => CapCell::new("unknown", format!("not run: {}", first_line(&o.detail))),
                },
            };
            let interrupts = match get("loop") {
                None => unknown(),
                Some(o) => match o.outcome {
                    Outcome::Interrupted | Outcome::Contained => {
                        CapCell::new("yes", format!("from inside, after {:.1} s", o.seconds))
                    }
                    Outcome::Hung => CapCell::new("no", format!("only by killing the worker ({})", o.detail)),
                    Outcome::WorkerDied | Outcome::PartlyContained => CapCell::new("no", died(o)),
                    _ => CapCell::new("unknown", format!("not run: {}", first_line(&o.detail))),
                },
            };
            let oob = contained("oob");
            let memory = CapCell::new(
                &oob.verdict,
                if oob.verdict == "yes" {
                    memory_checks(runtime).to_string()
                } else {
                    format!("{}; out of bounds: {}", memory_checks(runtime), oob.text)
                },
            );
            let simd = match get("simd") {
                None => unknown(),
                Some(o) => match o.outcome {
                    Outcome::Ran => CapCell::new("yes", "yes"),
                    Outcome::Rejected => CapCell::new("no", "no (module rejected)"),
                    Outcome::WorkerDied | Outcome::PartlyContained => CapCell::new("no", died(o)),
                    _ => CapCell::new("no", format!("no: {}", first_line(&o.detail))),
                },
            };
            CapabilityRow {
                host: host.into(),
                runtime: runtime.into(),
                validates,
                traps: contained("trap"),
                interrupts,
                stack: contained("recursion"),
                memory,
                simd,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(runtime: &str, probe: &str, outcome: Outcome, detail: &str) -> ProbeOutcome {
        ProbeOutcome {
            reused_from_unix: None,
            host: "go".into(),
            runtime: runtime.into(),
            probe: probe.into(),
            outcome,
            detail: detail.into(),
            seconds: 1.25,
        }
    }

    #[test]
    fn each_outcome_lands_in_its_column_with_its_verdict() {
        let outs = vec![
            o("wasm2go", "invalid", Outcome::Ran, "2 rows"),
            o("wasm2go", "trap", Outcome::Contained, "unreachable"),
            o("wasm2go", "recursion", Outcome::WorkerDied, "exit status: 2: fatal error: stack overflow\nmore"),
            o("wasm2go", "loop", Outcome::Hung, "killed after 3 s"),
            o("wasm2go", "oob", Outcome::Contained, "index out of range"),
            o("wasm2go", "simd", Outcome::Rejected, "v128"),
            o("wazero:compiler", "loop", Outcome::Interrupted, "context deadline exceeded"),
        ];
        let t = table(&outs);
        assert_eq!(t.len(), 2);
        let w = &t[0];
        assert_eq!((w.validates.verdict.as_str(), w.traps.verdict.as_str()), ("no", "yes"));
        assert_eq!(w.stack.verdict, "no");
        assert!(w.stack.text.contains("fatal error: stack overflow") && !w.stack.text.contains("more"), "{}", w.stack.text);
        assert_eq!(w.interrupts.verdict, "no");
        assert!(w.interrupts.text.contains("killing the worker"));
        assert_eq!(w.simd.verdict, "no");
        assert!(w.memory.text.starts_with("Go's own slice bounds checks"));
        let g = w.gives_up();
        assert!(g.contains("no validation") && g.contains("killing") && g.contains("no SIMD") && g.contains("stack"), "{g}");
        assert!(!g.contains("a trap"), "{g}");
        let z = &t[1];
        assert_eq!(z.interrupts.verdict, "yes");
        assert!(z.interrupts.text.contains("1.2 s") || z.interrupts.text.contains("1.3 s"), "{}", z.interrupts.text);
        assert_eq!(z.validates.verdict, "unknown");
        assert_eq!(z.gives_up(), "");
    }

    #[test]
    fn outcomes_round_trip_in_snake_case() {
        let x = o("wasm2c", "trap", Outcome::PartlyContained, "guarded: contained; unguarded: the worker died");
        let j = serde_json::to_string(&x).unwrap();
        assert!(j.contains("\"outcome\":\"partly_contained\""), "{j}");
        assert_eq!(serde_json::from_str::<ProbeOutcome>(&j).unwrap(), x);
        let t = table(&[x]);
        assert_eq!(t[0].traps.verdict, "partly");
        assert_eq!(
            t[0].gives_up(),
            "a trap is contained only through `guarded`; another path lets it kill the process"
        );
        let y = o("wasm2c", "trap", Outcome::PartlyContained, "guarded, guarded_batch: contained; then the worker died");
        assert_eq!(
            table(&[y])[0].gives_up(),
            "a trap is contained only through `guarded` or `guarded_batch`; another path lets it kill the process"
        );
    }
}
