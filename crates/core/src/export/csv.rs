//! CSV in long format: one row a sample, for spreadsheets and data frames.

use super::{notes, Exporter, Rendered};
use crate::results::{Params, ResultsFile};

/// `host,runtime,api,scenario,params,sample_index,iters,ns_per_op`, one row per raw sample.
/// `params` is `key=value` pairs joined by `;` (empty when the scenario has none).
pub struct Csv;

pub const HEADER: [&str; 8] = ["host", "runtime", "api", "scenario", "params", "sample_index", "iters", "ns_per_op"];

pub fn params_text(p: &Params) -> String {
    p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
}

impl Exporter for Csv {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(HEADER).expect("write to memory");
        for row in &r.results {
            let k = &row.key;
            let params = params_text(&k.params);
            let iters = row.iters_per_sample.to_string();
            for (i, s) in row.sample_ns_per_op.iter().enumerate() {
                w.write_record([
                    k.host.as_str(),
                    &k.runtime,
                    &k.api,
                    &k.scenario,
                    &params,
                    &i.to_string(),
                    &iters,
                    &s.to_string(),
                ])
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
