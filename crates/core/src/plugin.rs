//! A user's scenario file: their module's own exports, payloads and checks
//! (`interop-bench run --guest plugin.wasm --scenario-file plugin.toml`), read by the
//! orchestrator and by the workers of both hosts. The format is documented in
//! `docs/scenario-files.md`; a wrong file gets an error naming the line and the key.

use crate::files::{read_capped, FILE_CAP, TEXT_CAP};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginFile {
    pub schema: u32,
    /// Link the engine's own WASI (`wasi_snapshot_preview1`), with nothing granted.
    #[serde(default)]
    pub wasi: bool,
    /// The module's own allocator, for inputs placed with `input_at = "allocate"`.
    #[serde(default)]
    pub allocator: Option<Allocator>,
    /// Host functions the module imports.
    #[serde(default, rename = "import")]
    pub imports: Vec<Import>,
    #[serde(rename = "scenario")]
    pub scenarios: Vec<PluginScenario>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocator {
    /// `(i32 size) -> i32 ptr`
    pub allocate: String,
    /// `(i32 ptr, i32 size) -> ()`, for `free_output`.
    #[serde(default)]
    pub deallocate: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WasmType {
    I32,
    I64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    /// Returns `value` (nothing for a function without a result).
    Constant,
    /// Returns how many times it has been called in this instance, this call included.
    Count,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub module: String,
    pub name: String,
    #[serde(default)]
    pub params: Vec<WasmType>,
    #[serde(default)]
    pub results: Vec<WasmType>,
    pub behaviour: Behaviour,
    #[serde(default)]
    pub value: i64,
}

impl Import {
    /// The value each call of this host function returns, by its behaviour: the constant,
    /// or the count of calls so far (1 on the first). One closure per linked function.
    pub fn responder(&self) -> impl Fn() -> i64 + Send + Sync + 'static {
        let (behaviour, value) = (self.behaviour, self.value);
        let calls = std::sync::atomic::AtomicI64::new(0);
        move || match behaviour {
            Behaviour::Constant => value,
            Behaviour::Count => calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// One call of `export` a operation (with its input copied in and output copied out).
    #[default]
    Call,
    /// One instantiation of the module (imports and WASI linked) a operation.
    Instantiate,
}

/// An argument: a literal or a buffer's address/length.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Int(i64),
    /// `in.ptr`, `in.len`, `out.ptr`, `out.len`
    Token(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Inline UTF-8 text.
    #[serde(default)]
    pub text: Option<String>,
    /// A file's bytes (relative to the scenario file).
    #[serde(default)]
    pub file: Option<String>,
    /// Generated: `text` (the project's canonical text, see docs) at each of `sizes`.
    #[serde(default)]
    pub generate: Option<Spanned<String>>,
    #[serde(default)]
    pub sizes: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum InputAt {
    /// A fixed offset in linear memory.
    Offset(u32),
    /// `"allocate"`: the module's own allocator, once per case, outside the timed loop.
    Named(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// The call's return value (or none).
    #[default]
    Value,
    /// An i64 `ptr << 32 | len` naming bytes in linear memory.
    PackedPtrLen,
    /// The call writes into a host-provided out buffer (`out.ptr`, `out.len`).
    OutBuffer,
    /// The call rewrites its input buffer in place; the output is those bytes.
    InPlace,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Check {
    /// `"unchecked"`: the row is marked unverified; `"completes"`: the call returns
    /// without a trap (an export with no result).
    Word(String),
    Table(CheckTable),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckTable {
    /// The exact return value.
    #[serde(default)]
    pub value: Option<i64>,
    /// sha256 (hex) of the output bytes: one per input size, in the order of `sizes`.
    #[serde(default)]
    pub sha256: Option<Sha256s>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Sha256s {
    One(String),
    PerSize(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginScenario {
    pub name: Spanned<String>,
    #[serde(default)]
    pub measure: Measure,
    #[serde(default)]
    pub export: Option<String>,
    #[serde(default)]
    pub params: Option<Spanned<Vec<WasmType>>>,
    #[serde(default)]
    pub results: Vec<WasmType>,
    #[serde(default)]
    pub args: Vec<Spanned<Arg>>,
    #[serde(default)]
    pub input: Option<Spanned<Input>>,
    #[serde(default)]
    pub input_at: Option<Spanned<InputAt>>,
    #[serde(default)]
    pub output: Option<Spanned<Output>>,
    /// Length of the out buffer (`output = "out_buffer"`); default: the input's length.
    #[serde(default)]
    pub out_len: Option<u64>,
    /// Call the allocator's `deallocate(ptr, len)` on a returned buffer, in the timed loop.
    #[serde(default)]
    pub free_output: bool,
    pub check: Spanned<Check>,
}

impl PluginScenario {
    pub fn params(&self) -> &[WasmType] {
        self.params.as_ref().map(|p| p.get_ref().as_slice()).unwrap_or(&[])
    }

    fn params_span(&self) -> std::ops::Range<usize> {
        self.params.as_ref().map(|p| p.span()).unwrap_or(self.name.span())
    }

    pub fn output(&self) -> Output {
        self.output.as_ref().map(|o| *o.get_ref()).unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.name.get_ref()
    }

    /// Every operation checks its result (everything but `check = "unchecked"`).
    pub fn verified(&self) -> bool {
        !matches!(self.check.get_ref(), Check::Word(w) if w == "unchecked")
    }
}

/// The signatures the adapters call (the same set as the built-in suite's).
pub const SIGNATURES: &[(&[WasmType], &[WasmType])] = {
    use WasmType::*;
    &[
        (&[], &[]),
        (&[I32], &[I32]),
        (&[I32, I32], &[I32]),
        (&[I32, I32], &[]),
        (&[I32, I32, I32, I32], &[]),
        (&[I32, I32], &[I64]),
    ]
};

pub fn describe(params: &[WasmType], results: &[WasmType]) -> String {
    let n = |t: &WasmType| match t {
        WasmType::I32 => "i32",
        WasmType::I64 => "i64",
    };
    let p: Vec<_> = params.iter().map(n).collect();
    let r: Vec<_> = results.iter().map(n).collect();
    format!("({}) -> ({})", p.join(", "), r.join(", "))
}

/// The parameter of an `instantiate` scenario in a file with `wasi = true`: `1`, the
/// engine's own WASI linked; `0`, the module's `wasi_snapshot_preview1` imports linked as
/// plain host functions returning 0 (never called: instantiating does not run them), so
/// the two rows differ by what linking WASI itself adds.
pub const WASI_PARAM: &str = "wasi";

/// The module namespace of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// One case of a user scenario: its parameter (`bytes` for generated inputs) and the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginCase {
    pub params: BTreeMap<String, u64>,
    pub input: Vec<u8>,
    /// The expected sha256 of the output bytes, if checked that way.
    pub sha256: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The cause is in the message and not also a `source()`, so `{:#}` says it once.
    #[error("cannot read the scenario file {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("scenario file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// A parsed, checked scenario file with its inputs resolved.
#[derive(Debug, Clone)]
pub struct LoadedPlugin {
    pub file: PluginFile,
    pub path: PathBuf,
    /// Cases per scenario, in file order.
    pub cases: Vec<Vec<PluginCase>>,
    /// The file's text, as read (a run keeps it in its results file).
    pub text: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The project's canonical generated text (also the built-in scenarios' text, in both hosts):
/// `n` lowercase bytes, byte i = 'a' + (7i + i/26) mod 26; at 51 bytes the founding
/// document's string.
pub fn canonical_text(n: usize) -> Vec<u8> {
    const SEED: &[u8] = b"hello_world_golang_performance_test_string_for_wasm";
    if n == SEED.len() {
        return SEED.to_vec();
    }
    (0..n).map(|i| b'a' + ((i * 7 + i / 26) % 26) as u8).collect()
}

/// sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl LoadedPlugin {
    pub fn load(path: &Path) -> Result<Self, PluginError> {
        let io = |cause| PluginError::Io { path: path.display().to_string(), cause };
        let bytes = read_capped(path, TEXT_CAP).map_err(io)?;
        let text = String::from_utf8(bytes)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not UTF-8 text ({e})"))))?;
        Self::parse(&text, path)
    }

    /// Parses `text` (read from `path`, which relative input files are resolved against).
    pub fn parse(text: &str, path: &Path) -> Result<Self, PluginError> {
        let invalid = |message: String| PluginError::Invalid { path: path.display().to_string(), message };
        let file: PluginFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| format!("line {}: ", line_of(text, s.start))).unwrap_or_default();
            invalid(format!("{at}{}", e.message().trim()))
        })?;
        let at = |span: std::ops::Range<usize>, key: &str, msg: String| {
            invalid(format!("line {}: `{key}`: {msg}", line_of(text, span.start)))
        };
        if file.schema != 1 {
            return Err(invalid(format!("`schema` is {}, this version reads schema 1", file.schema)));
        }
        if file.scenarios.is_empty() {
            return Err(invalid("no [[scenario]] in the file".into()));
        }
        for imp in &file.imports {
            if imp.results.len() > 1 {
                return Err(invalid(format!("import {}.{}: `results`: a host function returns at most one value", imp.module, imp.name)));
            }
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut seen = std::collections::BTreeSet::new();
        let mut cases = Vec::new();
        for s in &file.scenarios {
            let name = s.name.get_ref();
            if !seen.insert(name.clone()) {
                return Err(at(s.name.span(), "name", format!("scenario `{name}` appears twice")));
            }
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(at(s.name.span(), "name", format!("`{name}`: use letters, digits, `_` and `-`")));
            }
            let export_needed = s.measure == Measure::Call;
            if export_needed && s.export.is_none() {
                return Err(at(s.name.span(), "export", format!("scenario `{name}` calls no export")));
            }
            let (p, r) = (s.params(), s.results.as_slice());
            if s.export.is_some() && !SIGNATURES.iter().any(|(sp, sr)| *sp == p && *sr == r) {
                let ok: Vec<String> = SIGNATURES.iter().map(|(p, r)| describe(p, r)).collect();
                return Err(at(
                    s.params_span(),
                    "params",
                    format!("signature {} is not one the adapters call (supported: {})", describe(p, r), ok.join(", ")),
                ));
            }
            if s.measure == Measure::Call && s.args.len() != p.len() {
                return Err(at(
                    s.params_span(),
                    "args",
                    format!("{} arguments for {} parameters", s.args.len(), p.len()),
                ));
            }
            let out_buffer = s.output() == Output::OutBuffer;
            for a in &s.args {
                if let Arg::Token(t) = a.get_ref() {
                    let ok = match t.as_str() {
                        "in.ptr" | "in.len" => s.input.is_some(),
                        "out.ptr" | "out.len" => out_buffer,
                        _ => {
                            return Err(at(
                                a.span(),
                                "args",
                                format!("`{t}`: an argument is an integer, `in.ptr`, `in.len`, `out.ptr` or `out.len`"),
                            ))
                        }
                    };
                    if !ok {
                        let needs = if t.starts_with("in.") { "an `input`" } else { "`output = \"out_buffer\"`" };
                        return Err(at(a.span(), "args", format!("`{t}` needs {needs}")));
                    }
                }
            }
            match (s.output(), r) {
                (Output::PackedPtrLen, [WasmType::I64]) | (Output::Value, _) | (Output::OutBuffer, _) => {}
                (Output::InPlace, _) if s.input.is_some() => {}
                (Output::InPlace, _) => {
                    return Err(at(s.output.as_ref().map(|o| o.span()).unwrap_or(s.name.span()), "output", "`in_place` needs an `input`".into()));
                }
                _ => {
                    return Err(at(s.output.as_ref().map(|o| o.span()).unwrap_or(s.name.span()), "output", "`packed_ptr_len` needs an i64 result".into()));
                }
            }
            if s.free_output && file.allocator.as_ref().and_then(|a| a.deallocate.as_ref()).is_none() {
                return Err(at(s.name.span(), "free_output", "needs `deallocate` in [allocator]".into()));
            }
            let needs_alloc = out_buffer
                || matches!(s.input_at.as_ref().map(|a| a.get_ref()), Some(InputAt::Named(_)) | None if s.input.is_some());
            if let Some(a) = &s.input_at {
                if let InputAt::Named(n) = a.get_ref() {
                    if n != "allocate" {
                        return Err(at(a.span(), "input_at", format!("`{n}`: use \"allocate\" or an offset")));
                    }
                }
            }
            if needs_alloc && file.allocator.is_none() && s.measure == Measure::Call {
                return Err(at(
                    s.name.span(),
                    "allocator",
                    format!("scenario `{name}` places buffers with the module's allocator: name it in [allocator] (or give `input_at = <offset>`)"),
                ));
            }
            // Inputs, one case per size.
            let inputs: Vec<(BTreeMap<String, u64>, Vec<u8>)> = match &s.input {
                None => vec![(BTreeMap::new(), Vec::new())],
                Some(inp) => {
                    let i = inp.get_ref();
                    let given = [i.text.is_some(), i.file.is_some(), i.generate.is_some()].iter().filter(|b| **b).count();
                    if given != 1 {
                        return Err(at(inp.span(), "input", "give exactly one of `text`, `file`, `generate`".into()));
                    }
                    if let Some(t) = &i.text {
                        vec![(BTreeMap::new(), t.as_bytes().to_vec())]
                    } else if let Some(f) = &i.file {
                        let p = dir.join(f);
                        let bytes = read_capped(&p, FILE_CAP).map_err(|e| {
                            at(inp.span(), "input.file", format!("cannot read {}: {e}", p.display()))
                        })?;
                        vec![(BTreeMap::new(), bytes)]
                    } else {
                        let g = i.generate.as_ref().expect("counted");
                        if g.get_ref() != "text" {
                            return Err(at(g.span(), "generate", format!("`{}`: the generator is \"text\"", g.get_ref())));
                        }
                        if i.sizes.is_empty() || i.sizes.contains(&0) {
                            return Err(at(inp.span(), "sizes", "give one or more sizes, each at least 1".into()));
                        }
                        i.sizes
                            .iter()
                            .map(|n| (BTreeMap::from([("bytes".to_string(), *n)]), canonical_text(*n as usize)))
                            .collect()
                    }
                }
            };
            let shas: Vec<Option<String>> = match s.check.get_ref() {
                Check::Word(w) if w == "unchecked" => vec![None; inputs.len()],
                Check::Word(w) if w == "completes" => {
                    if s.measure == Measure::Call && !r.is_empty() || s.output() != Output::Value {
                        return Err(at(s.check.span(), "check", "`completes` is for an export with no result and no output bytes: check those with `value` or `sha256`".into()));
                    }
                    vec![None; inputs.len()]
                }
                Check::Word(w) => {
                    return Err(at(s.check.span(), "check", format!("`{w}`: use \"completes\", \"unchecked\", {{ value = N }} or {{ sha256 = ... }}")))
                }
                Check::Table(CheckTable { value: Some(_), sha256: None }) => {
                    if r.is_empty() || s.output() != Output::Value {
                        return Err(at(s.check.span(), "check.value", "needs a returned value (`output = \"value\"`)".into()));
                    }
                    vec![None; inputs.len()]
                }
                Check::Table(CheckTable { value: None, sha256: Some(h) }) => {
                    if s.output() == Output::Value {
                        return Err(at(s.check.span(), "check.sha256", "needs output bytes (`packed_ptr_len`, `out_buffer` or `in_place`)".into()));
                    }
                    let list = match h {
                        Sha256s::One(one) => vec![one.clone()],
                        Sha256s::PerSize(v) => v.clone(),
                    };
                    if list.len() != inputs.len() {
                        return Err(at(
                            s.check.span(),
                            "check.sha256",
                            format!("{} digests for {} inputs (one per size, in order)", list.len(), inputs.len()),
                        ));
                    }
                    for d in &list {
                        if d.len() != 64 || !d.chars().all(|c| c.is_ascii_hexdigit()) {
                            return Err(at(s.check.span(), "check.sha256", format!("`{d}` is not a sha256 in hex")));
                        }
                    }
                    list.into_iter().map(|d| Some(d.to_lowercase())).collect()
                }
                Check::Table(_) => {
                    return Err(at(s.check.span(), "check", "give exactly one of `value`, `sha256`".into()));
                }
            };
            if s.measure == Measure::Instantiate && s.input.is_some() {
                return Err(at(s.name.span(), "input", "an `instantiate` scenario takes no input".into()));
            }
            if s.measure == Measure::Instantiate && file.wasi {
                // What linking WASI adds: `wasi=1` with the engine's own WASI, `wasi=0` with
                // the module's WASI imports stubbed by plain host functions (never called).
                cases.push(
                    [1, 0]
                        .into_iter()
                        .map(|w| PluginCase { params: BTreeMap::from([(WASI_PARAM.into(), w)]), input: vec![], sha256: None })
                        .collect(),
                );
                continue;
            }
            cases.push(
                inputs
                    .into_iter()
                    .zip(shas)
                    .map(|((params, input), sha256)| PluginCase { params, input, sha256 })
                    .collect(),
            );
        }
        Ok(LoadedPlugin { file, path: path.to_path_buf(), cases, text: text.to_string() })
    }

    pub fn names(&self) -> Vec<String> {
        self.file.scenarios.iter().map(|s| s.name.get_ref().clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
schema = 1
[allocator]
allocate = "allocate"
deallocate = "deallocate"

[[import]]
module = "env"
name = "host_inc"
params = ["i32"]
results = ["i32"]
behaviour = "constant"
value = 7

[[scenario]]
name = "add"
export = "add_numbers"
params = ["i32", "i32"]
results = ["i32"]
args = [40, 2]
check = { value = 42 }

[[scenario]]
name = "rev"
export = "reverse_string_in_place"
params = ["i32", "i32"]
args = ["in.ptr", "in.len"]
input = { generate = "text", sizes = [16, 64] }
output = "out_buffer"
check = "unchecked"
"#;

    fn parse(t: &str) -> Result<LoadedPlugin, PluginError> {
        LoadedPlugin::parse(t, Path::new("plugin.toml"))
    }

    #[test]
    fn a_good_file_gives_one_case_per_size() {
        let p = parse(GOOD).unwrap();
        assert_eq!(p.names(), ["add", "rev"]);
        assert_eq!(p.cases[0].len(), 1);
        assert_eq!(p.cases[1].len(), 2);
        assert_eq!(p.cases[1][1].params["bytes"], 64);
        assert_eq!(p.cases[1][1].input, canonical_text(64));
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let typo = GOOD.replace("args = [40, 2]", "argz = [40, 2]");
        let e = parse(&typo).unwrap_err().to_string();
        assert!(e.contains("line 20") && e.contains("argz"), "{e}");
        let sig = GOOD.replace("params = [\"i32\", \"i32\"]\nresults = [\"i32\"]", "params = [\"i64\", \"i32\"]\nresults = [\"i32\"]");
        let e = parse(&sig).unwrap_err().to_string();
        assert!(e.contains("line 18") && e.contains("`params`") && e.contains("(i64, i32) -> (i32)"), "{e}");
        let tok = GOOD.replace("\"in.ptr\", \"in.len\"", "\"in.ptr\", \"in.size\"");
        let e = parse(&tok).unwrap_err().to_string();
        assert!(e.contains("line 27") && e.contains("in.size"), "{e}");
        let ty = GOOD.replace("behaviour = \"constant\"", "behaviour = \"echo\"");
        let e = parse(&ty).unwrap_err().to_string();
        assert!(e.contains("line 12") && e.contains("echo"), "{e}");
    }

    #[test]
    fn an_instantiate_scenario_of_a_wasi_file_has_a_row_with_and_one_without_wasi() {
        let inst = "\n[[scenario]]\nname = \"inst\"\nmeasure = \"instantiate\"\ncheck = \"completes\"\n";
        let params = |p: &LoadedPlugin| -> Vec<Vec<(String, u64)>> {
            p.cases[2].iter().map(|c| c.params.clone().into_iter().collect()).collect()
        };
        let wasi = parse(&format!("{}{inst}", GOOD.replace("schema = 1", "schema = 1\nwasi = true"))).unwrap();
        assert_eq!(params(&wasi), [vec![(WASI_PARAM.to_string(), 1)], vec![(WASI_PARAM.to_string(), 0)]]);
        assert_eq!(wasi.cases[1].len(), 2, "call scenarios keep their cases");
        let plain = parse(&format!("{GOOD}{inst}")).unwrap();
        assert_eq!(params(&plain), [vec![]]);
    }

    #[test]
    fn sha256_lists_must_match_the_sizes() {
        let bad = GOOD.replace("check = \"unchecked\"", "check = { sha256 = \"00\" }");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("1 digests for 2 inputs"), "{e}");
    }
}
