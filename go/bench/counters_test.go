package bench

import (
	"testing"
)

// The counters are behaviour, not time: a loop that makes one cgo call per operation
// must count about one, a loop that allocates 3 objects per operation about three, a
// loop that does neither about zero.
func TestCountersPerOp(t *testing.T) {
	// Samples long enough that the heap counters' span granularity (a span's worth of
	// objects counted at once) stays far below one allocation per operation.
	cfg := Config{WarmupMs: 0, TargetSampleMs: 20, Samples: 3}
	sink := make([][]byte, 3)
	cases := []struct {
		name   string
		body   func(n int) error
		metric string
		lo, hi float64
	}{
		{"nothing", func(n int) error {
			for i := 0; i < n; i++ {
				emptyBody()
			}
			return nil
		}, "allocs_per_op", 0, 0.01},
		{"three allocations", func(n int) error {
			for i := 0; i < n; i++ {
				for j := range sink {
					sink[j] = make([]byte, 64+j)
				}
			}
			return nil
		}, "allocs_per_op", 2.9, 3.1},
		{"three allocations, bytes", func(n int) error {
			for i := 0; i < n; i++ {
				for j := range sink {
					sink[j] = make([]byte, 64)
				}
			}
			return nil
		}, "bytes_per_op", 3 * 64 * 0.95, 3 * 64 * 1.05},
	}
	if cgoEnabled {
		cases = append(cases, struct {
			name   string
			body   func(n int) error
			metric string
			lo, hi float64
		}{"one cgo call", func(n int) error {
			for i := 0; i < n; i++ {
				FFIEmpty()
			}
			return nil
		}, "cgo_calls_per_op", 0.99, 1.01})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Measure(Case{Loop: timed(tc.body)}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range counterMetrics {
				if _, ok := res.Metrics[m]; !ok {
					t.Errorf("metric %s missing", m)
				}
			}
			if v := res.Metrics[tc.metric]; v < tc.lo || v > tc.hi {
				t.Errorf("%s = %.4f, want within [%g, %g]", tc.metric, v, tc.lo, tc.hi)
			}
		})
	}
}

// cpu_ns_per_op is the process's CPU on every thread: work an operation hands to another
// goroutine (as wasmtime-go's calls hand their FuncTypes to the finalizer goroutine) is
// in it. A million dependent multiply-adds take at least 1e6 cycles, over 0.1 ms on any
// CPU clocked below 10 GHz, whichever thread runs them.
func TestCPUCounterSeesOtherThreads(t *testing.T) {
	var sink uint64
	body := func(n int) error {
		for i := 0; i < n; i++ {
			done := make(chan uint64)
			go func() {
				x := uint64(i)
				for j := 0; j < 1_000_000; j++ {
					x = x*3 + 1
				}
				done <- x
			}()
			sink += <-done
		}
		return nil
	}
	res, err := Measure(Case{Loop: timed(body)}, Config{TargetSampleMs: 5, Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Metrics["cpu_ns_per_op"]; v < 1e5 {
		t.Errorf("cpu_ns_per_op = %.0f ns for a million dependent operations on another goroutine, want > 1e5", v)
	}
	_ = sink
}
