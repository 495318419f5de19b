//! The tool's wasm2c rows timed by criterion instead of the tool's own sampler, as an
//! independent check of them (scripts/agree-translated.sh prints the ratios): the guest
//! (the built-in one, or `$INTEROP_GUEST`) compiled by the same adapter, so the SAME
//! cached shared object the tool loads (the cache key is the module, the shim and the
//! flags), called through the same FFI (`W2cInstance`'s `Instance` methods), on the same
//! inputs, every result checked as the tool's loops check it.
//!
//!   cargo bench -p interop-host --no-default-features --features wasm2c --bench wasm2c
//!   ... --bench wasm2c -- --warm-up-time 0.1 --measurement-time 0.2   # shorter
//!
//! Ids: `wasm2c/<case>/<api>`, e.g. `wasm2c/add/guarded_batch`; criterion keeps each
//! estimate in `target/criterion/wasm2c_<case>/<api>/new/estimates.json`.
//!
//! Paired mode, `INTEROP_PAIRED_ROUNDS=R` (with `CRITERION_HOME` set): this VM switches
//! speed for seconds at a time (a busy sibling hyperthread), so the tool and criterion run
//! a minute apart often time two machine states. Here both time each row in ONE process,
//! back to back, R rounds, alternating which goes first: criterion's measurement of the
//! row (id `wasm2c_<case>/<api>/r<round>`, its mean read from its estimates.json), then
//! the tool's own path for the same row (`runner::measure_row`, `MeasureConfig::DEFAULT`,
//! or `QUICK` with `INTEROP_PAIRED_QUICK=1`; the mean of its samples, as the script reads
//! the tool). One line per round and row and each row's median ratio go to stderr, and
//! TSV lines `case api round tool_ns criterion_ns first` to `$INTEROP_PAIRED_OUT` if set.

#[path = "common/mod.rs"]
mod common;

use anyhow::{bail, Context, Result};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use interop_core::results::Params;
use interop_host::adapter::{BatchOp, Engine, Instance, MemApi, Sig, GUARDED_BATCH};
use interop_host::runner::{inputs, measure_row};
use interop_host::runtimes::wasm2c::{W2cInstance, Wasm2c};
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// One row compared: criterion's group and the tool's scenario, parameter and API label.
struct Row {
    group: &'static str,
    api: &'static str,
    scenario: &'static str,
    param: Option<(&'static str, u64)>,
}

const fn row(group: &'static str, api: &'static str, scenario: &'static str, param: Option<(&'static str, u64)>) -> Row {
    Row { group, api, scenario, param }
}

/// The rows scripts/agree-translated.sh compares, in criterion's order. The memory rows use
/// the default call API (`guarded`) and the runtime's memory struct (`view`), as the tool's.
const ROWS: [Row; 8] = [
    row("wasm2c_noop", "unguarded", "noop", None),
    row("wasm2c_noop", "guarded", "noop", None),
    row("wasm2c_noop", GUARDED_BATCH, "noop", None),
    row("wasm2c_add", "unguarded", "add", None),
    row("wasm2c_add", "guarded", "add", None),
    row("wasm2c_add", GUARDED_BATCH, "add", None),
    row("wasm2c_string_roundtrip_51", "view", "string_roundtrip", Some(("bytes", 51))),
    row("wasm2c_sum_array_10000", "view", "sum_array", Some(("len", 10_000))),
];

impl Row {
    fn params(&self) -> Params {
        self.param.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    /// As the tool's `--scenarios` names the case: `sum_array/len=10000`.
    fn case(&self) -> String {
        match self.param {
            Some((k, v)) => format!("{}/{k}={v}", self.scenario),
            None => self.scenario.into(),
        }
    }
}

fn alloc(inst: &mut W2cInstance, bytes: usize) -> u32 {
    let f = inst.func("allocate", Sig::IToI, "guarded").unwrap();
    let p = inst.call_i_i(&f, bytes as i32).unwrap();
    assert!(p > 0, "allocate({bytes}) returned {p}");
    p as u32
}

/// Criterion's measurement of one row, under `id` in group `g`.
fn bench_row(g: &mut BenchmarkGroup<'_, WallTime>, id: BenchmarkId, inst: &mut W2cInstance, row: &Row) {
    let api = row.api;
    match (row.scenario, api) {
        ("noop", GUARDED_BATCH) => {
            let f = inst.func("no_op", Sig::VV, GUARDED_BATCH).unwrap();
            g.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let t = Instant::now();
                    inst.call_batch(&f, BatchOp::NoOp, iters).unwrap();
                    t.elapsed()
                })
            });
        }
        ("noop", _) => {
            let f = inst.func("no_op", Sig::VV, api).unwrap();
            g.bench_function(id, |b| b.iter(|| inst.call_vv(&f).unwrap()));
        }
        ("add", GUARDED_BATCH) => {
            let f = inst.func("add_numbers", Sig::IIToI, GUARDED_BATCH).unwrap();
            g.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let t = Instant::now();
                    inst.call_batch(&f, BatchOp::Add { b: 20 }, iters).unwrap(); // checks every result
                    t.elapsed()
                })
            });
        }
        ("add", _) => {
            let f = inst.func("add_numbers", Sig::IIToI, api).unwrap();
            let mut a = 0i32;
            g.bench_function(id, |b| {
                b.iter(|| {
                    let r = inst.call_ii_i(&f, black_box(a), 20).unwrap();
                    assert_eq!(r, a.wrapping_add(20), "add_numbers({a}, 20)");
                    a = a.wrapping_add(1);
                })
            });
        }
        ("string_roundtrip", "view") => {
            const S: usize = 51;
            let ptr = alloc(inst, S);
            let f = inst.func("reverse_string_in_place", Sig::IIToV, "guarded").unwrap();
            let input = inputs::text(S);
            let mut out = vec![0u8; S];
            g.bench_function(id, |b| {
                b.iter(|| {
                    inst.write(MemApi::View, ptr, &input).unwrap();
                    inst.call_ii_v(&f, ptr as i32, S as i32).unwrap();
                    inst.read(MemApi::View, ptr, &mut out).unwrap();
                    assert!(out[0] == input[S - 1] && out[S - 1] == input[0], "the string came back unreversed");
                })
            });
            assert!(out.iter().eq(input.iter().rev()), "the string came back unreversed");
        }
        ("sum_array", "view") => {
            const N: usize = 10_000;
            let values = inputs::array(N);
            let bytes = inputs::le_bytes(&values);
            let want = inputs::wrapping_sum(&values);
            let ptr = alloc(inst, bytes.len());
            let f = inst.func("sum_array", Sig::IIToI, "guarded").unwrap();
            g.bench_function(id, |b| {
                b.iter(|| {
                    inst.write(MemApi::View, ptr, &bytes).unwrap();
                    let r = inst.call_ii_i(&f, ptr as i32, N as i32).unwrap();
                    assert_eq!(r, want, "sum_array of {N} i32");
                })
            });
        }
        (s, a) => unreachable!("no criterion loop for {s} ({a})"),
    }
}

/// Every row once, ids `wasm2c_<case>/<api>` (the script's interleaved rounds).
fn all_rows(c: &mut Criterion, inst: &mut W2cInstance) {
    let mut i = 0;
    while i < ROWS.len() {
        let mut g = c.benchmark_group(ROWS[i].group);
        let group = ROWS[i].group;
        while i < ROWS.len() && ROWS[i].group == group {
            bench_row(&mut g, BenchmarkId::from_parameter(ROWS[i].api), inst, &ROWS[i]);
            i += 1;
        }
        g.finish();
    }
}

/// `INTEROP_PAIRED_ROUNDS=R`: each row, R rounds of criterion and the tool back to back
/// (see the module's doc).
fn paired(rounds_var: &str) -> Result<()> {
    let rounds: usize = match rounds_var.trim().parse() {
        Ok(r) if r >= 1 => r,
        _ => bail!("INTEROP_PAIRED_ROUNDS={rounds_var}: want a number of rounds, 1 or more"),
    };
    let Some(home) = std::env::var_os("CRITERION_HOME").map(PathBuf::from) else {
        bail!("INTEROP_PAIRED_ROUNDS needs CRITERION_HOME: the directory criterion writes the estimates this mode reads");
    };
    let (cfg, cfg_name) = common::paired_config();
    let mut out = common::paired_out()?;

    let wasm = common::guest();
    let eng = Wasm2c::signals();
    let module = eng.compile(&wasm).context("wasm2c compiles the guest")?;
    eprintln!("wasm2c shared object: {}", module.shared_object().display());
    eprintln!(
        "paired: {rounds} round(s), each row: criterion then the tool's measure_row ({}), alternating which goes first",
        cfg_name
    );
    let mut inst = eng.instantiate(&module).context("instantiate")?;
    let mut c = Criterion::default().configure_from_args();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); ROWS.len()];
    for round in 1..=rounds {
        let criterion_first = round % 2 == 1;
        for (k, row) in ROWS.iter().enumerate() {
            let tool = || -> Result<f64> {
                let s = measure_row(&eng, &module, &wasm, row.scenario, &row.params(), row.api, &cfg)?;
                Ok(s.ns_per_op.iter().sum::<f64>() / s.ns_per_op.len() as f64)
            };
            let mut crit = || {
                let mut g = c.benchmark_group(row.group);
                bench_row(&mut g, BenchmarkId::new(row.api, format!("r{round}")), &mut inst, row);
                g.finish();
            };
            let tool_ns = if criterion_first {
                crit();
                tool()?
            } else {
                let t = tool()?;
                crit();
                t
            };
            let crit_ns = common::criterion_mean(&home.join(row.group).join(row.api).join(format!("r{round}")))?;
            let first = if criterion_first { "criterion" } else { "tool" };
            ratios[k].push(tool_ns / crit_ns);
            eprintln!(
                "paired round {round} {} {}: tool {tool_ns:.3} ns, criterion {crit_ns:.3} ns, ratio {:.3} ({first} first)",
                row.case(),
                row.api,
                tool_ns / crit_ns
            );
            if let Some(f) = out.as_mut() {
                writeln!(f, "{}\t{}\t{round}\t{tool_ns}\t{crit_ns}\t{first}", row.case(), row.api)?;
            }
        }
    }
    for (row, r) in ROWS.iter().zip(&ratios) {
        let each: Vec<String> = r.iter().map(|x| format!("{x:.3}")).collect();
        eprintln!("paired median tool/criterion {} {}: {:.3} [{}]", row.case(), row.api, common::median(r), each.join(", "));
    }
    c.final_summary();
    Ok(())
}

fn main() {
    if let Some(r) = std::env::var_os("INTEROP_PAIRED_ROUNDS") {
        if let Err(e) = paired(&r.to_string_lossy()) {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
        return;
    }
    let eng = Wasm2c::signals();
    let module = eng.compile(&common::guest()).expect("wasm2c compiles the guest");
    eprintln!("wasm2c shared object: {}", module.shared_object().display());
    let mut inst = eng.instantiate(&module).expect("instantiate");
    let mut c = Criterion::default().configure_from_args();
    all_rows(&mut c, &mut inst);
    c.final_summary();
}
