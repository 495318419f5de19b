package bench

import (
	"math"
	"runtime/debug"
	"slices"
	"testing"
	"time"
)

// fakeCase reports cost(sample index) ns per op without running anything, so the tests
// depend on no clock but the time cap.
func fakeCase(cost func(call int) float64) Case {
	calls := 0
	return Case{Loop: func(n int) (time.Duration, error) {
		calls++
		return time.Duration(cost(calls) * float64(n)), nil
	}}
}

func TestAdaptiveSamplingStopsAtThePrecisionTarget(t *testing.T) {
	cfg := Config{TargetSampleMs: 0.1, Samples: 6, PrecisionPct: 1, MaxRowMs: 3_600_000}
	res, err := Measure(fakeCase(func(i int) float64 { return 100 + float64(i%2) - 0.5 }), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopPrecision || len(res.NsPerOp) != 6 {
		t.Fatalf("a ±0.5%% row must stop at the minimum, on precision: %s after %d", res.Stop, len(res.NsPerOp))
	}
	// ±10%: the interval shrinks as 1/sqrt(n), about 400 samples for ±1%.
	res, err = Measure(fakeCase(func(i int) float64 { return 100 + 20*float64(i%2) - 10 }), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopPrecision || len(res.NsPerOp) < 100 || len(res.NsPerOp) > 2000 {
		t.Fatalf("a ±10%% row must sample on to ±1%%: %s after %d", res.Stop, len(res.NsPerOp))
	}
}

func TestProjectionStopsOnlyRowsThatWouldMissByFar(t *testing.T) {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	for _, c := range []struct {
		elapsed, limit, hw float64
		want               bool
	}{
		{100, 500, 0.10, false}, // too early to tell
		{250, 500, 0.02, false}, // 4x half the cap: twice the cap, on the edge
		{125, 500, 0.03, true},  // 9x a quarter: 2.25 s
		{125, 500, 0.012, false},
	} {
		if got := projectedOutOfReach(ms(c.elapsed), ms(c.limit), c.hw, 0.01); got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
}

func TestAdaptiveSamplingStopsOutOfReachRowsEarlyAndFixedTakesExactly(t *testing.T) {
	// The projection is judged from a quarter of the cap on (25 ms of real time here) and
	// must stop the row there, long before the cap: a cap of a few ms let one scheduler
	// stall on a 2-core CI box carry the row straight past the quarter to the cap
	// ("time_cap after 19").
	cfg := Config{TargetSampleMs: 0.1, Samples: 3, PrecisionPct: 1e-9, MaxRowMs: 100}
	res, err := Measure(fakeCase(func(i int) float64 { return 50 + 100*float64(i%2) }), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopProjected || len(res.NsPerOp) < 3 {
		t.Fatalf("%s after %d", res.Stop, len(res.NsPerOp))
	}
	res, err = Measure(fakeCase(func(i int) float64 { return 50 + 100*float64(i%2) }), Config{TargetSampleMs: 0.1, Samples: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopFixed || len(res.NsPerOp) != 4 {
		t.Fatalf("%s after %d", res.Stop, len(res.NsPerOp))
	}
}

// A fixed count with a bound (--quick): a row whose samples take longer than the bound
// stops after two; without one, exactly Samples.
func TestABoundedFixedCountStopsALongRowAfterTwoSamples(t *testing.T) {
	slow := Case{Loop: func(n int) (time.Duration, error) {
		t0 := time.Now()
		for i := 0; i < n; i++ {
			time.Sleep(2 * time.Millisecond)
		}
		return time.Since(t0), nil
	}}
	res, err := Measure(slow, Config{TargetSampleMs: 0.1, Samples: 5, MaxRowMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopTimeCap || len(res.NsPerOp) != 2 {
		t.Errorf("bounded: %s after %d samples, want time_cap after 2", res.Stop, len(res.NsPerOp))
	}
	res, err = Measure(slow, Config{TargetSampleMs: 0.1, Samples: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopFixed || len(res.NsPerOp) != 5 {
		t.Errorf("exact: %s after %d samples, want fixed after 5", res.Stop, len(res.NsPerOp))
	}
}

func TestAnOperationLongerThanASampleIsNotRunAgainToCalibrate(t *testing.T) {
	// One 3 ms op a loop against 2 ms samples and a 1 ms warm-up: the run that checks it,
	// the single warm-up loop (already a quarter of a sample: the calibration's), and the
	// two samples; no loops of three for calibration.
	loops := 0
	slow := Case{Loop: func(n int) (time.Duration, error) {
		loops++
		t0 := time.Now()
		for i := 0; i < n; i++ {
			time.Sleep(3 * time.Millisecond)
		}
		return time.Since(t0), nil
	}}
	res, err := Measure(slow, Config{WarmupMs: 1, TargetSampleMs: 2, Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	if loops != 4 || res.Iters != 1 || len(res.NsPerOp) != 2 {
		t.Errorf("%d loops, %d ops a sample, %d samples; want 4, 1, 2", loops, res.Iters, len(res.NsPerOp))
	}
	// With a precision target too: one a sample, not four.
	res, err = Measure(slow, Config{WarmupMs: 1, TargetSampleMs: 2, Samples: 2, PrecisionPct: 1, MaxRowMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iters != 1 {
		t.Errorf("with a precision target: %d ops a sample, want 1", res.Iters)
	}
}

func TestWarmUpEndsOnceLoopsAgree(t *testing.T) {
	// Cold (10x) for a few loops, then steady: warm-up must end well before its minute.
	done := make(chan Result, 1)
	go func() {
		res, _ := Measure(fakeCase(func(i int) float64 {
			if i < 6 {
				return 1000
			}
			return 100
		}), Config{WarmupMs: 60_000, TargetSampleMs: 0.1, Samples: 2})
		done <- res
	}()
	select {
	case res := <-done:
		if res.NsPerOp[0] != 100 {
			t.Fatalf("sampled while cold: %v", res.NsPerOp)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("warm-up ran to its bound although the loops agreed")
	}
}

func TestT975(t *testing.T) {
	// Reference values (R: qt(0.975, df)).
	for df, want := range map[int]float64{1: 12.7062, 9: 2.2622, 30: 2.0423, 31: 2.0395, 40: 2.0211, 60: 2.0003, 120: 1.9799, 1000: 1.9623} {
		if got := t975(df); math.Abs(got-want) > 2e-4 {
			t.Errorf("t975(%d) = %.5f, want %.4f", df, got, want)
		}
	}
}

// A row whose calls allocate is not stopped on precision before its samples have seen
// rowGCCycles collections: its uniformly fast samples between collections would otherwise give a
// tight interval that leaves the collector's cost out. The fake loop reports a constant
// cost (a tight interval at once) but allocates 64 KiB an op for real.
func TestPrecisionWaitsForTheCollector(t *testing.T) {
	var sink []byte
	c := Case{Loop: func(n int) (time.Duration, error) {
		for i := 0; i < n; i++ {
			sink = make([]byte, 64<<10)
		}
		return time.Duration(100 * n), nil
	}}
	cfg := Config{TargetSampleMs: 0.01, Samples: 3, PrecisionPct: 50, MaxRowMs: 60_000}
	res, err := Measure(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ops := float64(res.Iters) * float64(len(res.NsPerOp))
	// (The count comes back per op: times ops it is rowGCCycles up to rounding.)
	if res.Stop != StopPrecision || math.Round(res.Metrics["gc_cycles_per_op"]*ops) < rowGCCycles {
		t.Fatalf("stopped (%s) after %d samples and %.1f collections, want precision after >= %d",
			res.Stop, len(res.NsPerOp), res.Metrics["gc_cycles_per_op"]*ops, rowGCCycles)
	}
	// Without allocations the same constant loop stops at the minimum.
	res, err = Measure(fakeCase(func(int) float64 { return 100 }), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopPrecision || len(res.NsPerOp) != 3 {
		t.Fatalf("an allocation-free row: %s after %d samples, want precision after 3", res.Stop, len(res.NsPerOp))
	}
	_ = sink
}

// A row whose calls allocate stops, at its cap or out of reach, only with a sample that
// held a collection: its samples span whole collector cycles (they start just after one),
// so they carry the collector's share of the calls' cost, not a cycle cut short.
func TestAnAllocatingRowStopsWithASampleThatHeldACollection(t *testing.T) {
	var sink []byte
	var spin int
	rd := newCounterReader() // the collector's cycles as the row reads them
	numGC := func() float64 { return rd.read()[3] }
	// The collector's count when each loop ended: a sample's own reads lie between the end
	// of the loop before it and the end of its own.
	var ends []float64
	calls := 0
	c := Case{Loop: func(n int) (time.Duration, error) {
		for i := 0; i < n; i++ {
			if i%64 == 0 {
				sink = make([]byte, 4<<10) // a collection every few milliseconds
			}
			for j := 0; j < 100; j++ {
				spin += j
			}
		}
		ends = append(ends, numGC())
		calls++
		// Samples that never agree: the target is out of reach, the row stops early or at its cap.
		return time.Duration((100 + 50*(calls%2)) * n), nil
	}}
	// (A cap long enough that the row never reaches twice it, where it stops anyway.)
	cfg := Config{TargetSampleMs: 0.2, Samples: 3, PrecisionPct: 0.01, MaxRowMs: 1000, FastState: true}
	for round := 0; round < 3; round++ {
		ends = ends[:0]
		res, err := Measure(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		k := len(ends)
		if res.Stop == StopPrecision || k < 2 || !(numGC() > ends[k-2]) {
			t.Fatalf("round %d: stopped (%s) after %d samples with a last sample that held no collection", round, res.Stop, len(res.NsPerOp))
		}
	}
	_, _ = sink, spin
}

// An allocating row's first sample starts just after a collection (collectBeforeSamples),
// not wherever the collector's cycle stood when the warm-up ended: between the last loop
// before the samples and the first sample, a collection has run.
func TestAnAllocatingRowsSamplesStartJustAfterACollection(t *testing.T) {
	var sink []byte
	rd := newCounterReader()
	numGC := func() float64 { return rd.read()[3] }
	var starts, ends []float64
	c := Case{Loop: func(n int) (time.Duration, error) {
		starts = append(starts, numGC())
		for i := 0; i < n; i++ {
			// 600 small objects a call: allocating (seldom a collection), and more than a
			// span's worth (512 of 16 B), so that even a warm-up of two one-call loops shows
			// in the heap's allocation count, which moves a span at a time. With one object a
			// call, such a warm-up (its loops slowed by the counter reads on a busy CI box, 1
			// in 300 runs under load) was judged not allocating, no collection was forced, and
			// the test failed in a fresh clone's CI (2026-11-29).
			for j := 0; j < 600; j++ {
				sink = make([]byte, 16)
			}
		}
		ends = append(ends, numGC())
		return time.Duration(100 * n), nil
	}}
	allocatingSoFar = time.Hour // the process is steady: no hold
	defer func() { allocatingSoFar = 0 }()
	cfg := Config{WarmupMs: 20, TargetSampleMs: 0.05, Samples: 2}
	res, err := Measure(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := len(starts) - len(res.NsPerOp) // the samples are the last loops
	if first < 1 {
		t.Fatalf("%d loops for %d samples: no loop before the samples", len(starts), len(res.NsPerOp))
	}
	if !(starts[first] > ends[first-1]) {
		t.Errorf("no collection between the last loop before the samples (ended at collection %v) and the first sample (started at %v)",
			ends[first-1], starts[first])
	}
	_ = sink
}

// A process's first allocating row is held in warm-up for ten times --warmup-ms (at most
// steadyWarm), so it is measured in the steady state of the collector and the finalizers;
// the same loop without allocations stops warming up once two loops agree; a later
// allocating row in the same process is not held again (its samples start after a
// collection it forces).
func TestAnAllocatingRowWarmsUpToTheSteadyStateOncePerProcess(t *testing.T) {
	var sink []byte
	loops := func(alloc bool) int {
		calls := 0
		c := Case{Loop: func(n int) (time.Duration, error) {
			calls++
			for i := 0; i < n; i++ {
				if alloc {
					// More than a span's worth (32 of 256 B) a call, so that even a warm-up
					// of two one-call loops on a busy box shows in the heap's allocation
					// count (see TestAnAllocatingRowsSamplesStartJustAfterACollection).
					for j := 0; j < 40; j++ {
						sink = make([]byte, 256)
					}
				}
			}
			return time.Duration(100 * n), nil // a steady cost: warm-up agrees at once
		}}
		cfg := Config{WarmupMs: 20, TargetSampleMs: 0.05, Samples: 2}
		if _, err := Measure(c, cfg); err != nil {
			t.Fatal(err)
		}
		return calls
	}
	allocatingSoFar = 0
	plain := loops(false)
	if allocatingSoFar != 0 {
		t.Errorf("a row without allocations counted toward the process's allocating time")
	}
	first := loops(true)
	if first < plain+10 {
		t.Errorf("the first allocating row ran %d loops, the same row without allocations %d: want it held in warm-up", first, plain)
	}
	if allocatingSoFar < 200*time.Millisecond {
		t.Errorf("the first allocating row was held %v, want the whole hold (10 x 20 ms)", allocatingSoFar)
	}
	// The process is steady now: the next allocating row is not held again.
	if second := loops(true); 2*second > first {
		t.Errorf("a second allocating row ran %d loops, the first %d: want no hold again", second, first)
	}
	_ = sink
}

// With the collector off no collection comes: an allocating row neither waits for one in
// warm-up nor samples to its time cap waiting for rowGCCycles (the *_gc_off rows each took
// 1.6 s, 0.5 s of it samples that could not stop).
func TestWithTheCollectorOffAnAllocatingRowWaitsForNoCollection(t *testing.T) {
	var sink []byte
	c := Case{Loop: func(n int) (time.Duration, error) {
		for i := 0; i < n; i++ {
			sink = make([]byte, 64)
		}
		return time.Duration(100 * n), nil // steady: the interval is tight at once
	}}
	cfg := Config{WarmupMs: 20, TargetSampleMs: 0.05, Samples: 3, PrecisionPct: 1, MaxRowMs: 5_000}
	allocatingSoFar = time.Hour // the process is steady
	defer func() { allocatingSoFar = 0 }()
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	if !collectorOff() {
		t.Fatal("collectorOff() is false with SetGCPercent(-1)")
	}
	res, err := Measure(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopPrecision || len(res.NsPerOp) != 3 {
		// Waiting for a collection that never comes runs to the time cap.
		t.Errorf("with the collector off: stop %q after %d samples, want precision after 3", res.Stop, len(res.NsPerOp))
	}
	debug.SetGCPercent(old)
	if collectorOff() {
		t.Error("collectorOff() is true with the collector on")
	}
	_ = sink
}

// A row need not wait for collections of its own when, at twice the process's collector
// cost per byte, its allocations could not move it by a quarter of the precision target.
func TestTheCollectorIsNegligibleOnlyForRowsThatAllocateLittleForTheirLength(t *testing.T) {
	cases := []struct {
		bytesPerOp, nsPerOp, perByte float64
		want                         bool
	}{
		{64, 30000, 0.3, true},   // wazero sum_array 100000: 38 ns of 75
		{64, 4000, 0.3, false},   // the same at 10000: 38 ns of 10
		{300, 40000, 1.0, false}, // wasmtime-go, finalizers: 600 ns of 100
		{0, 10, 1.0, true},       // no allocation
		{64, 30000, 0, false},    // the process's cost not known yet
	}
	for _, c := range cases {
		if got := collectorNegligible(c.bytesPerOp, c.nsPerOp, c.perByte, 0.01); got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
	var abs counters
	abs[2], abs[3], abs[4] = 4e6, 1, 0.001
	if got := processGCNsPerByte(abs); got != 0 {
		t.Errorf("after one collection the cost is not known: got %v", got)
	}
	abs[3] = 2
	if got := processGCNsPerByte(abs); math.Abs(got-0.25) > 1e-12 {
		t.Errorf("1 ms of collector over 4 MB: got %v ns a byte, want 0.25", got)
	}
}

func TestTheDecilesOfReadingsLeaveOutOneBlownUpReading(t *testing.T) {
	got := lowHighDecile([]float64{10, 11, 10.5, 120, 10.2, 10.8, 10.1, 10.9, 10.4, 10.6})
	if !slices.Equal(got, []float64{10, 11}) {
		t.Errorf("got %v, want [10 11]", got)
	}
	if got := lowHighDecile([]float64{5}); !slices.Equal(got, []float64{5, 5}) {
		t.Errorf("one reading: got %v", got)
	}
	if lowHighDecile(nil) != nil {
		t.Error("no reading: want nil")
	}
}

// The fast-state rule of crates/core/src/stats/machine_state.rs, as the sampler applies it
// sample by sample: a sample counts when the readings before and after it are within 25%
// of the process's fastest, and the samples are reread when a faster state turns up.
func TestFastSamplesKeepsWhatTheMachineStateRuleKeeps(t *testing.T) {
	saved := fastestNs
	defer func() { fastestNs = saved }()
	fastestNs = 100
	f := fastSamples{before: 101, fast: math.NaN()}
	samples := []float64{10, 10, 19, 19, 10, 10}
	after := []float64{100, 102, 190, 101, 100, 100}
	for i := range samples {
		f.update(samples[:i+1], after[:i+1])
	}
	if f.kept.n != 4 || f.kept.mean != 10 {
		t.Errorf("kept %d samples, mean %v; want the 4 whose readings on both sides are fast (not the two around 190), mean 10", f.kept.n, f.kept.mean)
	}
	// A faster state found later (80): only readings up to 100 are fast now; the last
	// sample alone has one on both sides.
	fastestNs = 80
	f.update(samples, after)
	if f.kept.n != 1 {
		t.Errorf("after a faster reading: kept %d, want 1", f.kept.n)
	}
}

// remeasureID spells a row as interop-bench run's RowKey::remeasure_id does: api/scenario,
// then each parameter in name order (the Rust side's test checks the same strings).
func TestRemeasureIDSpellsTheRowAsTheRunDoes(t *testing.T) {
	for _, c := range []struct {
		api, scenario string
		params        map[string]int64
		want          string
	}{
		{"call", "add", nil, "call/add"},
		{"view", "string_roundtrip", map[string]int64{"bytes": 64}, "view/string_roundtrip/bytes=64"},
		{"typed", "mine", map[string]int64{"wasi": 0, "n": 3}, "typed/mine/n=3/wasi=0"},
	} {
		if got := remeasureID(c.api, c.scenario, c.params); got != c.want {
			t.Errorf("remeasureID(%q, %q, %v) = %q, want %q", c.api, c.scenario, c.params, got, c.want)
		}
	}
}

// In a run that measures each row in two worker processes (Config.Processes), a row that
// makes no work for the collector takes half of its minimum samples in each, and a row
// whose calls allocate is measured whole in the first process and skipped in the second.
func TestARowSplitBetweenProcessesUnlessItsCallsAllocate(t *testing.T) {
	var sink []byte
	row := func(alloc bool, processes, process int) Result {
		c := Case{Loop: func(n int) (time.Duration, error) {
			for i := 0; i < n; i++ {
				if alloc {
					sink = make([]byte, 256)
				}
			}
			return time.Duration(100 * n), nil // steady: the target is reached at the minimum
		}}
		cfg := Config{WarmupMs: 5, TargetSampleMs: 0.05, Samples: 6, PrecisionPct: 50, MaxRowMs: 2000,
			Processes: processes, Process: process}
		res, err := Measure(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := row(false, 1, 0); r.Skipped || len(r.NsPerOp) != 6 {
		t.Fatalf("one process: %d samples (skipped %v), want 6", len(r.NsPerOp), r.Skipped)
	}
	for process := 0; process < 2; process++ {
		if r := row(false, 2, process); r.Skipped || len(r.NsPerOp) != 3 {
			t.Fatalf("process %d of 2: %d samples (skipped %v), want its share, 3", process, len(r.NsPerOp), r.Skipped)
		}
	}
	if r := row(true, 2, 0); r.Skipped || len(r.NsPerOp) < 6 {
		t.Fatalf("an allocating row in the first of 2 processes: %d samples (skipped %v), want the whole minimum, 6", len(r.NsPerOp), r.Skipped)
	}
	if r := row(true, 2, 1); !r.Skipped || len(r.NsPerOp) != 0 {
		t.Fatalf("an allocating row in the second of 2 processes: %d samples (skipped %v), want none", len(r.NsPerOp), r.Skipped)
	}
	// Unless the run asks for it again (--remeasure: a slow stretch of the machine covered
	// its first process): then whole again, and only the row named.
	again := func(named string) Result {
		c := Case{Loop: func(n int) (time.Duration, error) {
			for i := 0; i < n; i++ {
				sink = make([]byte, 256)
			}
			return time.Duration(100 * n), nil
		}}
		cfg := Config{WarmupMs: 5, TargetSampleMs: 0.05, Samples: 6, PrecisionPct: 50, MaxRowMs: 2000, Processes: 2, Process: 1,
			Remeasure: map[string]bool{named: true}}
		res, err := Measure(c, cfg.forRow("call", "string_roundtrip", map[string]int64{"bytes": 64}))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := again("call/string_roundtrip/bytes=64"); r.Skipped || !r.Remeasured || len(r.NsPerOp) < 6 {
		t.Fatalf("an allocating row asked for again in the second of 2 processes: %d samples (skipped %v, remeasured %v), want the whole minimum, 6", len(r.NsPerOp), r.Skipped, r.Remeasured)
	}
	if r := row(true, 2, 0); r.Remeasured {
		t.Fatal("the first process's row is not an attempt measured again")
	}
	if r := again("call/string_roundtrip/bytes=16"); !r.Skipped {
		t.Fatalf("another row asked for again: this one measured (%d samples)", len(r.NsPerOp))
	}
	// A fixed count is split as the Rust host splits it (MeasureConfig::per_process).
	c := fakeCase(func(int) float64 { return 100 })
	res, err := Measure(c, Config{WarmupMs: 5, TargetSampleMs: 0.05, Samples: 6, Processes: 2, Process: 1})
	if err != nil || len(res.NsPerOp) != 3 || res.Skipped {
		t.Fatalf("a fixed count of 6 in the second of 2 processes: %d samples (skipped %v, %v), want 3", len(res.NsPerOp), res.Skipped, err)
	}
	_ = sink
}

// A row that an engine times itself, a few operations of seconds each (wasm2go's compile),
// splits its whole count between the processes as the Rust host does
// (MeasureConfig::self_timed_samples): at least two in each, not the whole in each.
func TestASelfTimedRowSplitsItsWholeCountBetweenProcesses(t *testing.T) {
	def := Config{WarmupMs: 100, TargetSampleMs: 5, Samples: 10, PrecisionPct: 1, MaxRowMs: 500}
	for _, tc := range []struct{ processes, whole, want int }{{0, 3, 3}, {1, 3, 3}, {3, 3, 2}, {8, 6, 2}, {2, 6, 3}, {3, 1, 1}} {
		cfg := def
		cfg.Processes = tc.processes
		if got := cfg.selfTimedSamples(tc.whole); got != tc.want {
			t.Errorf("%d processes, %d in all: %d samples a process, want %d", tc.processes, tc.whole, got, tc.want)
		}
	}
	if got := (Config{Samples: 1, Processes: 1}).selfTimedSamples(3); got != 1 {
		t.Errorf("--samples 1: %d, want 1 (never more than asked)", got)
	}
}
