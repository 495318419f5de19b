//go:build agree && agreepaired

// The paired check (scripts/agree-translated.sh, its last section): the tool's own
// generated loop for each case, timed by the tool's own sampler (bench.Measure, with the
// configuration of the tool's run), alternating with testing.B's timing of the b.N form
// of the same case (agree_test.go), in one process, round after round. A shared VM
// switches speed for seconds at a time (a busy sibling hyperthread: the same loop reads
// 1.4-1.7x slower for whole seconds), so two harnesses run a minute apart are often timed
// in different machine states; a pair here is a second or two apart, and the median of
// the pairs' ratios compares the harnesses, not the states.
//
// The generated loops are the tool's: the script maps the worker file the tool generated
// for this guest (its cache's zz_wasm2go_worker.go, package main renamed) into this
// package with -overlay, with the translation it imports; w2gNew and Direct below are
// that file's. Each output line is
//
//	PAIRED <case> <round> <tool ns/op> <go test ns/op>
//
// (tab-separated), read by the script.
package agree

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"interop-bench/go/bench"
)

func envFloat(t *testing.T, name string, def float64) float64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

func TestPaired(t *testing.T) {
	rounds := int(envFloat(t, "INTEROP_PAIRED_ROUNDS", 5))
	// The tool's configuration (the results file's "config"; its defaults otherwise).
	cfg := bench.Config{
		WarmupMs:       envFloat(t, "INTEROP_PAIRED_WARMUP_MS", 100),
		TargetSampleMs: envFloat(t, "INTEROP_PAIRED_TARGET_SAMPLE_MS", 5),
		Samples:        int(envFloat(t, "INTEROP_PAIRED_SAMPLES", 10)),
		PrecisionPct:   envFloat(t, "INTEROP_PAIRED_PRECISION_PCT", 1),
		MaxRowMs:       envFloat(t, "INTEROP_PAIRED_MAX_ROW_MS", 500),
	}
	cases := []struct {
		name     string
		scenario string
		param    int64
		mem      string
		gotest   func(*testing.B)
	}{
		{"noop", "noop", 0, "", BenchmarkNoop},
		{"add", "add", 0, "", BenchmarkAdd},
		{"string_roundtrip 51 B (view)", "string_roundtrip", 51, "view", BenchmarkStringRoundtrip51},
		{"sum_array 10000 (view)", "sum_array", 10000, "view", BenchmarkSumArray10000},
	}
	for _, c := range cases {
		for r := 1; r <= rounds; r++ {
			tool := func() float64 {
				bc, err := w2gNew().Direct(c.scenario, c.param, c.mem)
				if err != nil {
					t.Fatalf("%s: the tool's generated loop: %v", c.name, err)
				}
				res, err := bench.Measure(bc, cfg)
				if err != nil {
					t.Fatalf("%s: the tool's sampler: %v", c.name, err)
				}
				if len(res.NsPerOp) == 0 {
					t.Fatalf("%s: the tool's sampler took no sample", c.name)
				}
				sum := 0.0
				for _, x := range res.NsPerOp {
					sum += x
				}
				return sum / float64(len(res.NsPerOp)) // the tool's statistic: the mean of the samples
			}
			gotest := func() float64 {
				br := testing.Benchmark(c.gotest)
				if br.N == 0 {
					t.Fatalf("%s: testing.Benchmark ran no iteration (a b.Fatal in the benchmark?)", c.name)
				}
				return float64(br.T.Nanoseconds()) / float64(br.N)
			}
			var tt, gt float64
			if r%2 == 1 { // alternate which goes first
				tt, gt = tool(), gotest()
			} else {
				gt, tt = gotest(), tool()
			}
			fmt.Printf("PAIRED\t%s\t%d\t%.6g\t%.6g\n", c.name, r, tt, gt)
		}
	}
}
