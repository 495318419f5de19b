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
/// when the scenario has none).
pub struct Csv;

pub const HEADER: [&str; 8] = ["host", "runtime", "api", "scenario", "params", "sample_index", "iters", "ns_per_op"];

pub fn params_text(p: &Params) -> String {
    p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
}

impl Exporter for Csv {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = HEADER
            .iter()
            .copied()
            .chain(GO_COUNTERS.iter().map(|c| c.0))
            .chain(["instructions_per_op", "gc_instructions_per_op"])
            .collect();
        w.write_record(&header).expect("write to memory");
        for row in &r.results {
            let k = &row.key;
            let params = params_text(&k.params);
            let iters = row.iters_per_sample.to_string();
            let counters: Vec<String> =
                GO_COUNTERS.iter().map(|c| row.metrics.get(c.0).map(|v| v.to_string()).unwrap_or_default()).collect();
            for (i, s) in row.sample_ns_per_op.iter().enumerate() {
                let index = i.to_string();
                let value = s.to_string();
                let fields = [k.host.as_str(), &k.runtime, &k.api, &k.scenario, &params, &index, &iters, &value];
                w.write_record(fields.into_iter().chain(counters.iter().map(String::as_str)).chain(["", ""]))
                    .expect("write to memory");
            }
        }
        for c in &r.counts {
            let k = &c.key;
            let params = params_text(&k.params);
            let iters = (c.n2 - c.n1).to_string();
            for (i, v) in c.instructions_per_op.iter().enumerate() {
                let gc = c.gc_on_instructions_per_op.get(i).map(|g| (g - v).to_string()).unwrap_or_default();
                let (index, value) = (i.to_string(), v.to_string());
                let fields = [k.host.as_str(), &k.runtime, &k.api, &k.scenario, &params, &index, &iters, ""];
                let empty = GO_COUNTERS.iter().map(|_| "");
                w.write_record(fields.into_iter().chain(empty).chain([value.as_str(), gc.as_str()])).expect("write to memory");
            }
        }
        let bytes = w.into_inner().expect("flush to memory");
        Rendered {
            output: String::from_utf8(bytes).expect("utf-8 in, utf-8 out"),
            notes: notes::warnings_summary(r) + &notes::failures_summary(r),
        }
    }
}
