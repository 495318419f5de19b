//! Property-based fuzzing of what the tool reads: the scenario list (TOML) and results
//! files (JSON, what `report` and `compare` load). Inputs are the real files mutated —
//! values replaced with hostile ones, keys and elements removed, text truncated or with
//! bytes flipped — and arbitrary text. A panic anywhere (parsing, statistics, analysis,
//! every exporter, the comparison) fails the test; errors are the expected outcome.
//! `PROPTEST_CASES` raises the counts for a longer session; `FUZZ_STATS=1` (with
//! `--nocapture`) prints whether each input was loaded or refused.

use interop_core::results::ResultsFile;
use interop_core::scenario::{ScenarioList, SCENARIOS_TOML};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/quick-rust.json")
}

fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(n);
    // A fixed seed: the same inputs every run, so CI cannot draw a different (and, for one
    // mutated results file seen once, minutes-long) case than the run that passed here.
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1b_2026),
        ..ProptestConfig::default()
    }
}

/// A mutation: which node (an index taken modulo the number of nodes) and what to do.
type Op = (u32, u8);

/// Every node of a JSON document, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A hostile value of the same JSON type as `old` (so that the file still parses and the
/// value reaches statistics, analysis and exporters), or of another type.
fn hostile(old: &Value, kind: u8) -> Value {
    const NUMBERS: [f64; 9] = [-1.0, 0.0, 1e308, -1e308, 5e-324, 1.8446744073709552e19, 0.5, 3.0, 1e-9];
    let k = kind as usize;
    match old {
        Value::Number(n) if n.is_u64() && k % 8 != 7 => serde_json::json!([0, 1, u64::MAX, 1u64 << 53, 4, 1u64 << 40][k % 6]),
        Value::Number(_) if k % 8 != 7 => serde_json::json!(NUMBERS[k % NUMBERS.len()]),
        Value::String(_) if k % 8 != 7 => {
            serde_json::json!(["", "x", "ünïcödé ✓ <b>&amp;</b>", "a\nb\tc", "native", "wasmtime", "copy", "\u{0}"][k % 8])
        }
        Value::Bool(b) if k % 8 != 7 => serde_json::json!(!b),
        _ => match k % 8 {
            0 => serde_json::json!(-1),
            1 => Value::Null,
            2 => serde_json::json!([]),
            3 => serde_json::json!({}),
            4 => serde_json::json!(""),
            5 => serde_json::json!(true),
            6 => serde_json::json!(1e308),
            _ => serde_json::json!("x".repeat(300)),
        },
    }
}

/// Applies `ops` to `doc`: replace a node with a hostile value (kinds 0..14), remove it
/// (14), or empty the array/object it is (15).
fn mutate(mut doc: Value, ops: &[Op]) -> Value {
    for &(which, kind) in ops {
        let mut ptrs = Vec::new();
        pointers(&doc, String::new(), &mut ptrs);
        let ptr = &ptrs[which as usize % ptrs.len()];
        if ptr.is_empty() {
            continue;
        }
        match kind % 16 {
            14 => {
                let (parent, key) = ptr.rsplit_once('/').unwrap();
                let key = key.replace("~1", "/").replace("~0", "~");
                match doc.pointer_mut(parent) {
                    Some(Value::Object(m)) => {
                        m.remove(&key);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
            }
            15 => match doc.pointer_mut(ptr) {
                Some(Value::Array(a)) => a.clear(),
                Some(Value::Object(m)) => m.clear(),
                _ => {}
            },
            _ => {
                if let Some(v) = doc.pointer_mut(ptr) {
                    *v = hostile(v, kind / 16);
                }
            }
        }
    }
    doc
}

/// What `report` and `compare` do with a file: load, rederive, render every format,
/// compare with the original. Panics are failures; errors are fine.
fn read_like_report(text: &[u8], original: &ResultsFile, all_formats: bool) {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    let loaded = ResultsFile::load(f.path());
    if std::env::var_os("FUZZ_STATS").is_some() {
        eprintln!("fuzz-stat results {}", match &loaded { Ok(_) => "loaded".to_string(), Err(e) => format!("refused {}", e.to_string().chars().skip(20).take(70).collect::<String>()) });
    }
    let Ok(mut r) = loaded else { return };
    r.rederive();
    let formats: &[&str] = if all_formats { interop_core::export::FORMATS } else { &["terminal", "json", "csv"] };
    for name in formats {
        let _ = interop_core::export::by_name(name).unwrap().render(&r);
    }
    let cmp = interop_core::compare::compare(original, &r, Default::default());
    let _ = cmp.render("terminal");
    let cmp = interop_core::compare::compare(&r, original, Default::default());
    let _ = cmp.render("json");
}

fn original() -> (Value, ResultsFile) {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let mut r = ResultsFile::load(&fixture()).unwrap();
    r.rederive();
    (serde_json::from_str(&text).unwrap(), r)
}

proptest! {
    // Each loaded file is analysed whole (the cost model's bootstraps: about a second a
    // file on a 2-core box) and rendered by every exporter: a few dozen files in `make
    // test`, more with PROPTEST_CASES.
    #![proptest_config(cases(24))]

    /// Structure-aware: the real results file with up to 6 nodes replaced or removed.
    #[test]
    fn a_mutated_results_file_never_panics_the_reader(ops in prop::collection::vec((any::<u32>(), any::<u8>()), 1..7)) {
        thread_local!(static ORIGINAL: (Value, ResultsFile) = original());
        ORIGINAL.with(|(doc, r)| {
            let text = serde_json::to_vec(&mutate(doc.clone(), &ops)).unwrap();
            read_like_report(&text, r, ops[0].1 % 4 == 0);
        });
    }

    /// Text-level: the real file truncated, or with bytes flipped.
    #[test]
    fn a_damaged_results_file_never_panics_the_reader(cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        thread_local!(static ORIGINAL: (Value, ResultsFile) = original());
        ORIGINAL.with(|(_, r)| {
            let mut text = std::fs::read(fixture()).unwrap();
            for (at, b) in &flips {
                let i = at.index(text.len());
                text[i] = *b;
            }
            if flips.is_empty() {
                text.truncate(cut.index(text.len()));
            }
            read_like_report(&text, r, false);
        });
    }
}

/// The scenario list as TOML, with up to 6 nodes replaced or removed (through JSON, which
/// TOML's data model maps onto).
fn mutated_scenarios(ops: &[Op]) -> String {
    let v: Value = toml::from_str::<toml::Value>(SCENARIOS_TOML).map(|t| serde_json::to_value(t).unwrap()).unwrap();
    let m = mutate(v, ops);
    // Nulls have no TOML form: those become a missing key.
    fn strip_nulls(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|_, c| !c.is_null());
                m.values_mut().for_each(strip_nulls);
            }
            Value::Array(a) => {
                a.retain(|c| !c.is_null());
                a.iter_mut().for_each(strip_nulls);
            }
            _ => {}
        }
    }
    let mut m = m;
    strip_nulls(&mut m);
    toml::to_string(&m).unwrap_or_default()
}

fn use_scenarios(text: &str) {
    let parsed = ScenarioList::parse(text);
    if std::env::var_os("FUZZ_STATS").is_some() {
        eprintln!("fuzz-stat scenarios {}", if parsed.is_ok() { "loaded" } else { "refused" });
    }
    if let Ok(list) = parsed {
        for s in &list.scenarios {
            let _ = s.cases();
        }
        let names: Vec<String> = list.scenarios.iter().take(3).map(|s| s.name.clone()).collect();
        let _ = list.select(&names);
        let _ = list.select(&["nope".to_string()]);
    }
}

proptest! {
    #![proptest_config(cases(1500))]

    #[test]
    fn a_mutated_scenario_list_never_panics_the_parser(ops in prop::collection::vec((any::<u32>(), any::<u8>()), 1..7)) {
        use_scenarios(&mutated_scenarios(&ops));
    }

    #[test]
    fn arbitrary_text_never_panics_the_scenario_parser(text in "\\PC{0,400}") {
        use_scenarios(&text);
    }

    #[test]
    fn a_damaged_scenario_list_never_panics_the_parser(cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let mut text = SCENARIOS_TOML.as_bytes().to_vec();
        for (at, b) in &flips {
            let i = at.index(text.len());
            text[i] = *b;
        }
        if flips.is_empty() {
            text.truncate(cut.index(text.len()));
        }
        use_scenarios(&String::from_utf8_lossy(&text));
    }
}
