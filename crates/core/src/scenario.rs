//! The scenario list (`scenarios/scenarios.toml`), shared by the Rust and Go hosts.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The list as written in the data file; embedded in the binary so it cannot drift.
pub const SCENARIOS_TOML: &str = include_str!("../../../scenarios/scenarios.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The host language's own baseline.
    Native,
    /// Every Wasm engine.
    Wasm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Varies {
    /// One row per call API of the engine.
    Call,
    /// One row per memory API (view, copy).
    Memory,
    /// One row.
    None,
}

/// Engine configurations that differ from their base engine in one respect, and the
/// scenarios where that respect shows. A default run (no `--scenarios`) measures such a
/// configuration on these only: every other row would repeat its base engine's figure at
/// the cost of a row's time (about 370 rows of a whole-matrix run). `--scenarios` names
/// any scenario for any configuration.
/// - `:bounds` (explicit bounds checks instead of guard pages): the guest's own memory
///   accesses (strings, sums, batches) and what the memory's reservation changes
///   (compile, instantiate); the host's copies into linear memory are the same.
/// - `wasmtime:pooling` (the pooling instance allocator): making instances.
/// - `wasmi:eager` (compiles every function up front, where wasmi compiles lazily):
///   compile, instantiate and the first call.
pub fn focus_of(runtime: &str) -> Option<&'static [&'static str]> {
    const BOUNDS: &[&str] = &["compile", "instantiate", "string_roundtrip", "sum_array", "sum_array_resident", "batch_add"];
    if runtime.ends_with(":bounds") {
        return Some(BOUNDS);
    }
    match runtime {
        "wasmtime:pooling" => Some(&["instantiate", "instantiate_pre", "first_call", "noop"]),
        "wasmi:eager" => Some(&["compile", "instantiate", "first_call", "noop"]),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub target: Target,
    pub varies: Varies,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub values: Vec<u64>,
    #[serde(default)]
    pub exports: Vec<String>,
    #[serde(default)]
    pub about: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioList {
    pub schema: u32,
    #[serde(rename = "scenario")]
    pub scenarios: Vec<Scenario>,
}

/// One parameter setting of a scenario: what a single result row measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Case<'a> {
    pub scenario: &'a Scenario,
    pub params: BTreeMap<String, u64>,
}

impl Case<'_> {
    /// The value of the scenario's parameter (0 for scenarios without one).
    pub fn value(&self) -> u64 {
        self.params.values().next().copied().unwrap_or(0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read the scenario list {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the scenario list is not valid: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("the scenario list is not valid: {0}")]
    Invalid(String),
    #[error("unknown scenario `{0}` (see `interop-bench list`)")]
    Unknown(String),
    #[error("`{entry}` names no case of the scenario list: write {want}")]
    BadCase { entry: String, want: String },
}

impl ScenarioList {
    /// The list compiled into this binary.
    pub fn builtin() -> Self {
        Self::parse(SCENARIOS_TOML).expect("the built-in scenario list parses (tested)")
    }

    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let list: ScenarioList = toml::from_str(text)?;
        list.validate()?;
        Ok(list)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.scenarios {
            if !seen.insert(&s.name) {
                return Err(ScenarioError::Invalid(format!("scenario `{}` appears twice", s.name)));
            }
            match (&s.param, s.values.is_empty()) {
                (Some(p), true) => {
                    return Err(ScenarioError::Invalid(format!(
                        "scenario `{}` names parameter `{p}` but gives no values",
                        s.name
                    )))
                }
                (None, false) => {
                    return Err(ScenarioError::Invalid(format!(
                        "scenario `{}` gives values but names no parameter",
                        s.name
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Like [`select`](Self::select), where a name may also pick one parameter value:
    /// `string_roundtrip/bytes=64` keeps that scenario with `values = [64]` (several
    /// entries of one scenario keep each value they name).
    pub fn select_cases(&self, entries: &[String]) -> Result<ScenarioList, ScenarioError> {
        let mut names: Vec<String> = Vec::new();
        let mut values: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for e in entries {
            let (name, pick) = match e.split_once('/') {
                Some((n, p)) => (n, Some(p)),
                None => (e.as_str(), None),
            };
            let s = self.get(name).ok_or_else(|| ScenarioError::Unknown(name.to_string()))?;
            if let Some(p) = pick {
                let bad = || ScenarioError::BadCase {
                    entry: e.clone(),
                    want: match &s.param {
                        Some(k) => format!("{name}/{k}=V with V one of {:?}", s.values),
                        None => format!("{name} (it has no parameter)"),
                    },
                };
                let (k, v) = p.split_once('=').ok_or_else(bad)?;
                let v: u64 = v.trim().parse().map_err(|_| bad())?;
                if s.param.as_deref() != Some(k) || !s.values.contains(&v) {
                    return Err(bad());
                }
                values.entry(name.to_string()).or_default().push(v);
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        let mut list = self.select(&names)?;
        for s in &mut list.scenarios {
            if let Some(vs) = values.get(&s.name) {
                s.values.retain(|v| vs.contains(v));
            }
        }
        Ok(list)
    }

    /// The list as a scenario file workers read (`--scenarios-file`).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario list serializes")
    }

    /// Keeps the named scenarios (all when `names` is empty), in list order.
    pub fn select(&self, names: &[String]) -> Result<ScenarioList, ScenarioError> {
        for n in names {
            if self.get(n).is_none() {
                return Err(ScenarioError::Unknown(n.clone()));
            }
        }
        Ok(ScenarioList {
            schema: self.schema,
            scenarios: self
                .scenarios
                .iter()
                .filter(|s| names.is_empty() || names.contains(&s.name))
                .cloned()
                .collect(),
        })
    }
}

impl Scenario {
    /// Every parameter setting, in the order of `values`.
    pub fn cases(&self) -> Vec<Case<'_>> {
        match &self.param {
            None => vec![Case { scenario: self, params: BTreeMap::new() }],
            Some(p) => self
                .values
                .iter()
                .map(|v| Case { scenario: self, params: BTreeMap::from([(p.clone(), *v)]) })
                .collect(),
        }
    }
}

#[cfg(test)]
mod select_cases_tests {
    use super::*;

    #[test]
    fn one_value_of_a_scenario_and_a_list_that_round_trips() {
        let full = ScenarioList::builtin();
        let l = full.select_cases(&["noop".into(), "string_roundtrip/bytes=64".into()]).unwrap();
        assert_eq!(l.scenarios.len(), 2);
        assert_eq!(l.get("string_roundtrip").unwrap().values, vec![64]);
        assert_eq!(ScenarioList::parse(&l.to_toml()).unwrap(), l);
        for bad in ["string_roundtrip/bytes=63", "string_roundtrip/len=64", "noop/bytes=1", "string_roundtrip/bytes"] {
            let e = full.select_cases(&[bad.into()]).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_has_the_seed_scenarios() {
        let list = ScenarioList::builtin();
        for name in ["empty", "native_call", "noop", "add", "string_roundtrip", "sum_array", "native_sum", "compile"] {
            assert!(list.get(name).is_some(), "missing {name}");
        }
        let s = list.get("string_roundtrip").unwrap();
        assert!(s.values.contains(&51), "the seed's 51-byte string");
        assert_eq!(list.get("sum_array").unwrap().values, vec![16, 1024, 10000, 100000]);
    }

    #[test]
    fn cases_expand_parameters() {
        let list = ScenarioList::builtin();
        let s = list.get("host_import").unwrap();
        let cases = s.cases();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[1].params.get("calls"), Some(&16));
        assert_eq!(list.get("noop").unwrap().cases()[0].params.len(), 0);
    }

    #[test]
    fn rejects_duplicates_and_half_parameters() {
        let dup = "schema = 1\n[[scenario]]\nname='a'\ntarget='wasm'\nvaries='none'\n[[scenario]]\nname='a'\ntarget='wasm'\nvaries='none'\n";
        assert!(matches!(ScenarioList::parse(dup), Err(ScenarioError::Invalid(m)) if m.contains("twice")));
        let half = "schema = 1\n[[scenario]]\nname='a'\ntarget='wasm'\nvaries='none'\nparam='bytes'\n";
        assert!(matches!(ScenarioList::parse(half), Err(ScenarioError::Invalid(m)) if m.contains("no values")));
        let bad = "schema = 1\n[[scenario]]\nname='a'\ntarget='gpu'\nvaries='none'\n";
        assert!(matches!(ScenarioList::parse(bad), Err(ScenarioError::Parse(_))));
    }

    #[test]
    fn select_keeps_order_and_rejects_unknown() {
        let list = ScenarioList::builtin();
        let sel = list.select(&["add".into(), "noop".into()]).unwrap();
        let names: Vec<_> = sel.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["noop", "add"]);
        assert!(matches!(list.select(&["nope".into()]), Err(ScenarioError::Unknown(n)) if n == "nope"));
    }

    #[test]
    fn focused_configurations_name_builtin_scenarios_and_keep_what_the_analysis_reads() {
        let list = ScenarioList::builtin();
        for rt in ["wasmtime:bounds", "wasmer:bounds", "wasm2c:bounds", "wasmtime:pooling", "wasmi:eager"] {
            for s in focus_of(rt).unwrap() {
                assert!(list.get(s).is_some(), "{rt}: {s} is not a built-in scenario");
            }
        }
        // The bounds_checks component and the compute chain read these on `:bounds`.
        for s in ["sum_array_resident", "string_roundtrip"] {
            assert!(focus_of("wasmtime:bounds").unwrap().contains(&s), "{s}");
        }
        for base in ["wasmtime", "wasmer", "wasm2c", "wasmi", "wasmer:singlepass", "wazero:compiler"] {
            assert_eq!(focus_of(base), None, "{base} runs every scenario");
        }
    }
}
