//! Golden tests of every renderer (stdout and stderr) from fixture results files.
//! UPDATE_GOLDEN=1 rewrites tests/golden/.

mod common;

use common::{check_golden, load};
use interop_core::compare::{compare, Options};
use interop_core::export::{by_name, Exporter, Terminal, FORMATS};
use interop_core::results::ResultsFile;

const FIXTURES: &[&str] = &["quick-rust", "synthetic", "synthetic-cgo", "small-go"];

fn render(format: &str, r: &ResultsFile) -> interop_core::export::Rendered {
    match format {
        // A fixed width: the terminal's would make the golden depend on where it runs.
        "terminal" => Terminal { width: Some(200), intervals: true, detail: true }.render(r),
        f => by_name(f).unwrap_or_else(|| panic!("{f} is in FORMATS but by_name does not know it")).render(r),
    }
}

#[test]
fn every_format_matches_its_golden() {
    for fixture in FIXTURES {
        let r = load(&format!("{fixture}.json"));
        for format in FORMATS {
            let out = render(format, &r);
            if *format == "html" {
                // Structural checks below; only its notes are byte-compared.
                check_golden(&format!("{fixture}.html.stderr"), &out.notes);
                continue;
            }
            check_golden(&format!("{fixture}.{format}.stdout"), &out.output);
            check_golden(&format!("{fixture}.{format}.stderr"), &out.notes);
        }
    }
}

#[test]
fn machine_formats_keep_warnings_out() {
    let r = load("quick-rust.json");
    assert!(!r.derived.warnings.is_empty(), "the fixture should have warnings to keep out");
    for format in ["json", "benchstat", "csv"] {
        let out = render(format, &r);
        for w in &r.derived.warnings {
            if format != "json" {
                assert!(!out.output.contains(&w.message), "{format} output carries a warning: {}", w.message);
            }
        }
    }
    for format in ["benchstat", "csv", "markdown", "html"] {
        assert!(render(format, &r).notes.contains("Warnings ("), "{format} should put its warnings in notes");
    }
}

#[test]
fn csv_is_one_row_a_sample_and_parses_back() {
    for fixture in FIXTURES {
        let r = load(&format!("{fixture}.json"));
        let out = render("csv", &r).output;
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            header[..17],
            [
                "host", "runtime", "api", "scenario", "params", "sample_index", "iters", "ns_per_op", "cgo_calls_per_op",
                "allocs_per_op", "bytes_per_op", "gc_cycles_per_op", "gc_cpu_ns_per_op",
                "cpu_ns_per_op", "instructions_per_op", "gc_instructions_per_op", "benchmark"
            ]
        );
        // Then every other metric of the file's rows, by name.
        let mut others: Vec<&String> = r.results.iter().flat_map(|x| x.metrics.keys()).filter(|k| !header[8..14].contains(k)).collect();
        others.sort();
        others.dedup();
        assert_eq!(header[17..].iter().collect::<Vec<_>>(), others, "{fixture}");
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let samples: usize = r.results.iter().map(|x| x.sample_ns_per_op.len()).sum();
        assert_eq!(records.len(), samples);
        // The values round-trip exactly.
        let first = &r.results[0];
        assert_eq!(records[0][7].parse::<f64>().unwrap(), first.sample_ns_per_op[0]);
    }
}

#[test]
fn benchstat_lines_have_go_shape() {
    let r = load("synthetic.json");
    let out = render("benchstat", &r).output;
    let bench: Vec<&str> = out.lines().filter(|l| l.starts_with("Benchmark")).collect();
    assert_eq!(bench.len(), r.results.iter().map(|x| x.sample_ns_per_op.len()).sum::<usize>());
    for line in &bench {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert!(!fields[0].contains(' '), "a name with a space: {line}");
        assert!(fields[0].ends_with("-2"), "{line}");
        fields[1].parse::<u64>().unwrap();
        assert!(fields[2].ends_with(" ns/op"));
        fields[2].trim_end_matches(" ns/op").parse::<f64>().unwrap();
    }
    assert!(out.starts_with("goos: linux\ngoarch: amd64\npkg: interop-bench/rust\ncpu: "), "{out}");
    // The seed's string case under go test's name, without its 51 bytes; other sizes keep theirs.
    assert!(out.contains("\nBenchmarkWasmReverseStringInPlace/engine=wasmtime/api=typed/mem=view-2\t"), "{out}");
    assert!(out.contains("\nBenchmarkWasmReverseStringInPlace/engine=wasmtime/api=typed/mem=view/bytes=16-2\t"), "{out}");
}

/// The Go host's rows carry go test's names, keys and extra units: the counters each row
/// holds, one unit each, on every sample line.
#[test]
fn benchstat_names_and_units_are_go_tests() {
    let r = load("small-go.json");
    let out = render("benchstat", &r).output;
    let go = out.split("pkg: interop-bench/go\n").nth(1).expect("the Go host's rows under go test's package");
    for name in [
        "BenchmarkGoFunctionCall-2\t",
        "BenchmarkCgoCall-2\t",
        "BenchmarkGoSumArray-2\t",
        "BenchmarkWasmNoOpCall/engine=wazero:compiler/api=call_with_stack-2\t",
        "BenchmarkWasmAddNumbers/engine=wasmtime-go/api=call-2\t",
        "BenchmarkWasmReverseStringInPlace/engine=wasmtime-go/api=call/mem=copy-2\t",
        "BenchmarkWasmReverseStringInPlace/engine=wazero:compiler/api=call/mem=view/bytes=16-2\t",
        "BenchmarkWasmSumArray/engine=wazero:compiler/api=call/mem=view-2\t",
    ] {
        assert!(go.lines().any(|l| l.starts_with(name)), "no {name:?} in\n{go}");
    }
    let line = go.lines().find(|l| l.starts_with("BenchmarkWasmNoOpCall/engine=wasmtime-go/api=call-2\t")).unwrap();
    for unit in [" ns/op", " cgo-calls/op", " allocs/op", " B/op", " gc-cycles/op", " gc-cpu-ns/op", " cpu-ns/op"] {
        assert!(line.contains(unit), "{unit} missing: {line}");
    }
    // Only the configuration keys go test prints, so benchstat puts both in one table.
    for l in out.lines().filter(|l| !l.starts_with("Benchmark")) {
        let key = l.split(':').next().unwrap();
        assert!(["goos", "goarch", "pkg", "cpu"].contains(&key), "{l}");
    }
}

#[test]
fn markdown_tables_are_well_formed() {
    let r = load("synthetic.json");
    let out = render("markdown", &r).output;
    // Every table line has as many unescaped pipes as its header.
    let mut cols = None;
    for line in out.lines() {
        if line.starts_with('|') {
            let n = line.replace("\\|", "").matches('|').count();
            match cols {
                None => cols = Some(n),
                Some(c) => assert_eq!(c, n, "ragged table line: {line}"),
            }
        } else {
            cols = None;
        }
    }
    assert!(out.contains("Fake CPU \\<script\\>alert(1)\\</script\\> & \"Co\" \\| x"), "{out}");
}

#[test]
fn compare_goldens() {
    let old = load("quick-rust.json");
    let same = compare(&old, &old, Options::default());
    assert_eq!(same.rows.len(), old.results.len());
    assert!(same.rows.iter().all(|c| !c.significant()), "identical files must show no change");
    assert!(same.regressions_above(0.0).is_empty());
    for format in ["terminal", "markdown", "json"] {
        let out = same.render(format).unwrap();
        check_golden(&format!("compare-identical.{format}.stdout"), &out.output);
        check_golden(&format!("compare-identical.{format}.stderr"), &out.notes);
    }

    let mut slow = old.clone();
    for row in &mut slow.results {
        for s in &mut row.sample_ns_per_op {
            *s *= 2.0;
        }
    }
    slow.results.retain(|x| x.key.scenario != "compile");
    slow.rederive();
    let mut extra = slow.results[0].clone();
    extra.key.runtime = "newengine".into();
    slow.results.push(extra);
    let twice = compare(&old, &slow, Options::default());
    assert_eq!(twice.only_old.len(), 1);
    assert_eq!(twice.only_new.len(), 1);
    for c in &twice.rows {
        assert!((c.change_pct - 100.0).abs() < 1e-6, "{c:?}");
        // Where the doubled samples no longer overlap the old ones, 5+5 samples suffice.
        let o = &old.results.iter().find(|r| r.key == c.key).unwrap().sample_ns_per_op;
        let max_old = o.iter().cloned().fold(f64::MIN, f64::max);
        let min_new = o.iter().cloned().fold(f64::MAX, f64::min) * 2.0;
        if max_old < min_new {
            assert!(c.significant() && c.ci_low_pct > 0.0, "a clean 2x slowdown must be flagged: {c:?}");
        }
    }
    let flagged = twice.regressions_above(10.0).len();
    assert!(flagged * 10 >= twice.rows.len() * 9, "only {flagged} of {} rows flagged", twice.rows.len());
    assert!((twice.geomean_ratio.unwrap() - 2.0).abs() < 1e-9);
    let out = twice.render("terminal").unwrap();
    check_golden("compare-2x.terminal.stdout", &out.output);
    check_golden("compare-2x.terminal.stderr", &out.notes);
}

#[test]
fn compare_finds_a_small_change_on_many_samples_and_not_on_noise() {
    let r = load("synthetic.json");
    // Same spread, 3% slower: beyond the noise with 12+12 samples (spread is ±1%).
    let mut slower = r.clone();
    for row in &mut slower.results {
        for s in &mut row.sample_ns_per_op {
            *s *= 1.03;
        }
    }
    slower.rederive();
    let c = compare(&r, &slower, Options::default());
    let twelve: Vec<_> = c.rows.iter().filter(|x| x.old_samples == 12).collect();
    assert!(twelve.iter().all(|x| x.significant() && x.ci_low_pct > 0.0), "{:?}", twelve.iter().find(|x| !x.significant()));
    assert!(c.regressions_above(5.0).is_empty());
    // Shuffled samples of the same row: nothing.
    let mut shuffled = r.clone();
    for row in &mut shuffled.results {
        row.sample_ns_per_op.reverse();
    }
    shuffled.rederive();
    let c = compare(&r, &shuffled, Options::default());
    assert!(c.rows.iter().all(|x| !x.significant()));
    assert_eq!(c.geomean_ratio, Some(1.0));
}

#[test]
fn compare_names_no_flag_for_a_row_its_engine_timed_itself() {
    let mut r = load("synthetic.json");
    r.config.precision_pct = 1.0;
    // Two rows of six samples: one its engine timed itself (stop "fixed" in a default run),
    // one that stopped at its time cap.
    for (row, stop) in r.results.iter_mut().zip(["fixed", "time_cap"]) {
        row.sample_ns_per_op.truncate(6);
        row.stop = Some(stop.to_string());
    }
    r.rederive();
    let c = compare(&r, &r, Options::default());
    let said = |i: usize| {
        let key = &r.results[i].key;
        c.warnings.iter().find(|w| w.row.as_ref() == Some(key)).map(|w| w.message.clone()).expect("a warning for the row")
    };
    assert!(said(0).contains("no flag gives it more") && !said(0).contains("--max-row-ms"), "{}", said(0));
    assert!(said(1).contains("raise --max-row-ms"), "{}", said(1));
}

/// A row measured in two worker processes pools their samples, and each process calibrated
/// its own count of operations a sample: every sample line of the CSV and of the benchstat
/// export carries its own process's count, not the first process's.
#[test]
fn each_pooled_sample_carries_its_own_processes_count() {
    use interop_core::results::{ProcessSamples, ResultRow};
    let mut r = load("synthetic.json");
    let mut raw = r.results[0].raw();
    let first = raw.iters_per_sample;
    assert_ne!(first, 7);
    let n1 = raw.sample_ns_per_op.len();
    raw.more_processes = vec![ProcessSamples { iters_per_sample: 7, sample_ns_per_op: vec![raw.sample_ns_per_op[0]; 3], verified: true, ..Default::default() }];
    r.results[0] = ResultRow::from_raw(raw);
    let row = &r.results[0];
    assert_eq!(row.used_iters, [vec![first; n1], vec![7; 3]].concat());
    let out = render("csv", &r).output;
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let iters: Vec<u64> = reader.records().map(|x| x.unwrap()[6].parse().unwrap()).take(n1 + 3).collect();
    assert_eq!(iters, row.used_iters);
    let out = render("benchstat", &r).output;
    let iters: Vec<u64> = out.lines().filter(|l| l.starts_with("Benchmark")).take(n1 + 3).map(|l| l.split('\t').nth(1).unwrap().parse().unwrap()).collect();
    assert_eq!(iters, row.used_iters);
    // The tables give the range of counts.
    let (lo, hi) = (first.min(7), first.max(7));
    assert_eq!(interop_core::export::samples_text(row), format!("{} × {lo}–{hi}", n1 + 3));
    assert!(render("html", &r).output.contains(&format!("{} × {lo}–{hi}", n1 + 3)));
}
