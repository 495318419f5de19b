//! CSV in long format: one row a sample, for spreadsheets and data frames.

use super::{notes, Exporter, Rendered};
use crate::results::{Params, ResultsFile};
use crate::units::GO_COUNTERS;

/// `host,runtime,api,scenario,params,sample_index,iters,ns_per_op`, one row per raw sample,
/// then `instructions_per_op` and `gc_instructions_per_op` (`run --counts`: one row per
/// repeat of a counted row, `iters` = n2 - n1, `ns_per_op` empty; empty on timed rows),
/// then the Go host's counters per op of the row (`cgo_calls_per_op`, `allocs_per_op`,
/// `bytes_per_op`, `gc_cycles_per_op`, `gc_cpu_ns_per_op`, `cpu_ns_per_op`: the same on each sample of a
/// row, empty where the row has none). `params` is `key=value` pairs joined by `;` (empty
/// when the scenario has none). Then `benchmark`: the row's name in benchstat and `go test
/// -bench` (export::benchmark_name, without the `-N` suffix), and last every other metric
/// a row of this file holds (`binary_bytes`, `peak_rss_bytes`, ...), one column each, by name.
pub struct Csv;

pub const HEADER: [&str; 8] = ["host", "runtime", "api", "scenario", "params", "sample_index", "iters", "ns_per_op"];

pub fn params_text(p: &Params) -> String {
    p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
}

impl Exporter for Csv {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut others: Vec<&str> = r
            .results
            .iter()
            .flat_map(|row| row.metrics.keys())
            .map(String::as_str)
            .filter(|k| !GO_COUNTERS.iter().any(|c| c.0 == *k))
            .collect();
        others.sort();
        others.dedup();
        let header: Vec<&str> = HEADER
            .iter()
            .copied()
            .chain(GO_COUNTERS.iter().map(|c| c.0))
            .chain(["instructions_per_op", "gc_instructions_per_op", "benchmark"])
            .chain(others.iter().copied())
            .collect();
        w.write_record(&header).expect("write to memory");
        for row in &r.results {
            let k = &row.key;
            let params = params_text(&k.params);
            let counters: Vec<String> =
                GO_COUNTERS.iter().map(|c| row.metrics.get(c.0).map(|v| v.to_string()).unwrap_or_default()).collect();
            let name = super::benchmark_name(k, &r.runtimes);
            let rest: Vec<String> =
                others.iter().map(|o| row.metrics.get(*o).map(|v| v.to_string()).unwrap_or_default()).collect();
            for (i, (s, n)) in row.used_ns_per_op.iter().zip(&row.used_iters).enumerate() {
                let index = i.to_string();
                let value = s.to_string();
                // Each sample's own process's count (processes calibrate apart).
                let iters = n.to_string();
                let fields = [k.host.as_str(), &k.runtime, &k.api, &k.scenario, &params, &index, &iters, &value];
                w.write_record(
                    fields
                        .into_iter()
                        .chain(counters.iter().map(String::as_str))
                        .chain(["", "", name.as_str()])
                        .chain(rest.iter().map(String::as_str)),
                )
                .expect("write to memory");
            }
        }
        for c in &r.counts {
            let k = &c.key;
            let params = params_text(&k.params);
            let iters = (c.n2 - c.n1).to_string();
            let name = super::benchmark_name(k, &r.runtimes);
            for (i, v) in c.instructions_per_op.iter().enumerate() {
                let gc = c.gc_on_instructions_per_op.get(i).map(|g| (g - v).to_string()).unwrap_or_default();
                let (index, value) = (i.to_string(), v.to_string());
                let fields = [k.host.as_str(), &k.runtime, &k.api, &k.scenario, &params, &index, &iters, ""];
                let empty = GO_COUNTERS.iter().map(|_| "");
                w.write_record(
                    fields
                        .into_iter()
                        .chain(empty)
                        .chain([value.as_str(), gc.as_str(), name.as_str()])
                        .chain(others.iter().map(|_| "")),
                )
                .expect("write to memory");
            }
        }
        let bytes = w.into_inner().expect("flush to memory");
        Rendered {
            output: String::from_utf8(bytes).expect("utf-8 in, utf-8 out"),
            notes: notes::warnings_summary(r) + &notes::failures_summary(r),
        }
    }
}
