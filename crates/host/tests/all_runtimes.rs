//! Every runtime this build registers runs every scenario of the list on the real guest:
//! each (scenario, case, API) gives a verified row, or the whole scenario is reported as
//! not applicable with a reason. Nothing fails, nothing is silently skipped. Times are
//! never asserted: the measurement is tiny (2 samples of 50 µs, no warm-up).

use interop_core::results::{Event, Failure, RawRow, RuntimeInfo};
use interop_core::scenario::{ScenarioList, Target, Varies};
use interop_host::measure::MeasureConfig;
use interop_host::runtimes;
use std::collections::BTreeSet;
use std::time::Duration;

const TINY: MeasureConfig =
    MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(50), 2);

struct Run {
    info: Vec<RuntimeInfo>,
    started: Vec<String>,
    rows: Vec<RawRow>,
    failures: Vec<Failure>,
}

fn run(name: &str, list: &ScenarioList) -> Run {
    let rt = runtimes::find(name).unwrap_or_else(|| panic!("runtime {name} is registered but not found"));
    let mut r = Run { info: vec![], started: vec![], rows: vec![], failures: vec![] };
    rt.run(interop_host::GUEST_WASM, list, &TINY, &mut |e| match e {
        Event::Runtime(i) => r.info.push(i),
        Event::Start { scenario, .. } => r.started.push(scenario),
        Event::Row(row) => r.rows.push(row),
        Event::Failure(f) => r.failures.push(f),
        Event::Count(c) => panic!("a timed run emitted a count: {c:?}"),
    });
    r
}

/// The API labels a scenario's rows carry on this runtime.
fn api_labels(info: &RuntimeInfo, varies: Varies) -> Vec<String> {
    match varies {
        Varies::Call => info.call_apis.clone(),
        Varies::Memory if !info.memory_apis.is_empty() => info.memory_apis.clone(),
        Varies::Memory | Varies::None => vec![info.call_apis[0].clone()],
    }
}

fn check_runtime(name: &str, list: &ScenarioList) -> Vec<String> {
    let mut problems = Vec::new();
    let r = run(name, list);
    assert_eq!(r.info.len(), 1, "{name}: one runtime event first");
    let info = &r.info[0];
    assert_eq!(info.runtime, name);
    assert!(!info.version.is_empty(), "{name}: no version");
    assert!(!info.call_apis.is_empty(), "{name}: no call API");

    for f in &r.failures {
        match f.status.as_str() {
            "not_applicable" if f.error.contains("not applicable: ") && !f.error.trim_end().ends_with(':') => {}
            _ => problems.push(format!("{name}: {} failure: {}", f.status, f.error)),
        }
    }

    let target = if name == "native" { Target::Native } else { Target::Wasm };
    let mut emitted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for row in &r.rows {
        if !row.verified {
            problems
                .push(format!("{name}: row {} {} {:?} not verified", row.key.scenario, row.key.api, row.key.params));
        }
        if row.sample_ns_per_op.len() != TINY.samples || row.iters_per_sample == 0 {
            problems.push(format!(
                "{name}: row {} {} has {} samples",
                row.key.scenario,
                row.key.api,
                row.sample_ns_per_op.len()
            ));
        }
        let key = (row.key.scenario.clone(), row.key.api.clone(), format!("{:?}", row.key.params));
        if !emitted.insert(key.clone()) {
            problems.push(format!("{name}: row {key:?} emitted twice"));
        }
    }

    for scenario in list.scenarios.iter().filter(|s| s.target == target) {
        if !r.started.contains(&scenario.name) {
            problems.push(format!("{name}: scenario {} never started", scenario.name));
        }
        let na: Vec<&Failure> =
            r.failures.iter().filter(|f| f.scenario == scenario.name && f.status == "not_applicable").collect();
        // Not applicable as a whole (no API named), or for one API path (named).
        if na.iter().any(|f| f.api.is_empty()) {
            continue;
        }
        if scenario.varies == Varies::Memory && target == Target::Wasm {
            for m in ["view", "copy"] {
                let offered = info.memory_apis.iter().any(|a| a == m);
                let said = na.iter().any(|f| f.api == m);
                if offered == said {
                    problems.push(format!(
                        "{name}: {}: memory API {m} offered: {offered}, said not applicable: {said}",
                        scenario.name
                    ));
                }
            }
        }
        for case in scenario.cases() {
            for api in api_labels(info, scenario.varies) {
                let key = (scenario.name.clone(), api.clone(), format!("{:?}", case.params));
                if !emitted.contains(&key) {
                    problems.push(format!("{name}: no row for {} api {api} params {:?}", scenario.name, case.params));
                }
            }
        }
    }
    problems
}

#[test]
fn every_runtime_runs_every_scenario_verified() {
    let list = ScenarioList::builtin();
    let names = runtimes::names();
    assert!(names.contains(&"native"));
    #[cfg(feature = "wasmtime")]
    assert!(names.iter().any(|n| n.starts_with("wasmtime")));
    let mut problems = Vec::new();
    for name in &names {
        problems.extend(check_runtime(name, &list));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_runtime_is_listed_with_a_version() {
    for rt in runtimes::all() {
        let info = rt.info();
        assert!(!info.version.is_empty(), "{info:?}");
        if info.runtime != "native" {
            assert!(info.version.starts_with(|c: char| c.is_ascii_digit()), "engine version {info:?}");
        }
        assert!(!info.engine.is_empty(), "{info:?}");
    }
}

/// The start-up mitigations are measured where the engine has them, never silently
/// reported as not applicable there.
#[test]
fn start_up_mitigations_are_measured_where_the_engine_has_them() {
    let list = ScenarioList::builtin()
        .select(&["deserialize".to_string(), "instantiate_pre".to_string(), "instantiate".to_string()])
        .unwrap();
    let expected: &[(&str, &[&str])] = &[
        #[cfg(feature = "wasmtime")]
        ("wasmtime", &["deserialize", "instantiate_pre", "instantiate"]),
        #[cfg(feature = "wasmtime")]
        ("wasmtime:pooling", &["deserialize", "instantiate_pre", "instantiate"]),
        #[cfg(feature = "wasmer")]
        ("wasmer", &["deserialize", "instantiate"]),
        #[cfg(feature = "tinywasm")]
        ("tinywasm", &["deserialize", "instantiate"]),
        #[cfg(feature = "wasmi")]
        ("wasmi", &["instantiate"]),
    ];
    for (name, scenarios) in expected {
        let r = run(name, &list);
        let measured: BTreeSet<&str> = r.rows.iter().filter(|x| x.verified).map(|x| x.key.scenario.as_str()).collect();
        let want: BTreeSet<&str> = scenarios.iter().copied().collect();
        assert_eq!(measured, want, "{name}: {:#?}", r.failures);
        let na: BTreeSet<&str> =
            r.failures.iter().filter(|f| f.status == "not_applicable").map(|f| f.scenario.as_str()).collect();
        let rest: BTreeSet<&str> =
            ["deserialize", "instantiate_pre"].into_iter().filter(|s| !want.contains(s)).collect();
        assert_eq!(na, rest, "{name}: the others are not applicable, with a reason: {:#?}", r.failures);
    }
}

/// batch_crossing (k Wasm calls inside one cgo call) is Go's FFI mitigation: every Rust
/// engine reports it not applicable, naming itself and why, and gives no row.
#[test]
fn batch_crossing_is_not_applicable_on_the_rust_host() {
    let list = ScenarioList::builtin().select(&["batch_crossing".to_string()]).unwrap();
    for name in runtimes::names().into_iter().filter(|n| *n != "native") {
        let r = run(name, &list);
        assert!(r.rows.is_empty(), "{name}: {:?}", r.rows);
        assert_eq!(r.failures.len(), 1, "{name}: {:#?}", r.failures);
        let f = &r.failures[0];
        assert_eq!(f.status, "not_applicable");
        assert!(f.api.is_empty(), "{name}: the whole scenario: {f:?}");
        assert!(f.error.starts_with(&format!("{name}: batch_crossing: not applicable: ")), "{}", f.error);
        assert!(f.error.contains("FFI toll"), "{}", f.error);
    }
}

/// Every engine that says where its linear memory is says it right (the host's copy
/// buffers are placed against that address, runner::Placed), and every engine but
/// tinywasm (whose API gives no address) says it.
#[test]
fn every_engine_reports_where_its_linear_memory_is() {
    let mut without = Vec::new();
    for rt in runtimes::all() {
        let name = rt.info().runtime;
        match rt.memory_base_holds_the_guests_bytes(interop_host::GUEST_WASM) {
            Ok(Some(true)) => {}
            Ok(Some(false)) => panic!("{name}: the bytes at its memory_base are not the ones written through its API"),
            Ok(None) => without.push(name),
            Err(e) => panic!("{name}: {e:#}"),
        }
    }
    let expected: Vec<&str> = ["native", "tinywasm"].into_iter().filter(|n| runtimes::names().contains(n)).collect();
    assert_eq!(without, expected);
}
