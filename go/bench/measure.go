package bench

import (
	"fmt"
	"gonum.org/v1/gonum/stat/distuv"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"time"
)

// Config is the measurement part of the worker command line.
type Config struct {
	// WarmupMs bounds the warm-up, which ends earlier once the engine is warm.
	WarmupMs       float64
	TargetSampleMs float64
	// Samples is the number of samples, or the minimum when PrecisionPct > 0.
	Samples int
	// PrecisionPct: sample until the 95% interval of the mean is within ± this many
	// percent of it, or MaxRowMs has passed; 0: exactly Samples samples, or, with a
	// MaxRowMs (--quick), two once the samples have taken MaxRowMs.
	PrecisionPct float64
	MaxRowMs     float64
	// FastState: with a precision target, the rule reads only the samples taken in the
	// machine's fast state, and the row carries the readings that let the statistics set
	// the others aside (as the Rust host; not for rows whose calls make work for the
	// collector: see Measure).
	FastState bool
	// Count, when set, counts instructions under callgrind instead of timing (counts.go).
	Count *CountSpec
	// Processes: the run measures each row in this many worker processes (run
	// --processes), and this worker is process number Process (from 0). The settings above
	// are then a row's whole budget. A row that makes no work for the collector takes its
	// share (perProcess, as the Rust host's rows do); a row whose calls make work for the
	// collector is measured whole in the first process and skipped in the others: its
	// collector's cycles and the ramp of their cost over a process's life need a whole
	// row's time (split in two, wasmtime-go's add read 0.87-0.90 of testing.B in
	// scripts/agree-seed.sh, whole 0.98).
	Processes, Process int
	// Remeasure: the rows (by remeasureID) that a later process is to measure again, whole,
	// because a stretch of the machine's slow state covered their first process (run
	// --remeasure, set by interop-bench run: a row whose calls make work for the collector
	// keeps every sample, so its only remedy is another attempt; the statistics take the
	// attempt least in the slow state, docs/hosts.md). Whole is set for the row at hand.
	Remeasure map[string]bool
	Whole     bool
}

// remeasureID names a row as interop-bench run names it in --remeasure (RowKey::remeasure_id
// in crates/core/src/results.rs): api/scenario, then /name=value per parameter in name
// order.
func remeasureID(api, scenario string, params map[string]int64) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	id := api + "/" + scenario
	for _, k := range names {
		id += fmt.Sprintf("/%s=%d", k, params[k])
	}
	return id
}

// forRow: the configuration for one row, Whole when the run asked for it again.
func (cfg Config) forRow(api, scenario string, params map[string]int64) Config {
	cfg.Whole = cfg.Remeasure[remeasureID(api, scenario, params)]
	return cfg
}

// perProcess: one process's share of a row's budget, as the Rust host's
// MeasureConfig::per_process: 1/n of the minimum samples (at least 2) and of the time
// cap, to a target sqrt(n) times looser.
func (cfg Config) perProcess() Config {
	n := cfg.Processes
	if n <= 1 {
		return cfg
	}
	cfg.Samples = share(cfg.Samples, n)
	cfg.PrecisionPct *= math.Sqrt(float64(n))
	cfg.MaxRowMs /= float64(n)
	return cfg
}

// selfTimedSamples: of a row of at most whole operations that an engine times itself
// (each a sample: wasm2go's compile), this process's share, as the Rust host's
// MeasureConfig::self_timed_samples: 1/n of whole, at least two (each process has a spread
// of its own), never more than whole, nor than this process's samples.
func (cfg Config) selfTimedSamples(whole int) int {
	return min(max(cfg.perProcess().Samples, 1), max(share(whole, cfg.Processes), 1))
}

// share: one of n processes' share of a count of samples, as the Rust host's
// measure::share: 1/n of it, at least two (each process has a spread of its own), never
// more than the count.
func share(count, n int) int {
	n = max(n, 1)
	return min(max((count+n-1)/n, 2), count)
}

// What ended a row's sampling (the row event's "stop"; docs/hosts.md).
const (
	StopPrecision = "precision"
	StopTimeCap   = "time_cap"
	StopSampleCap = "sample_cap"
	StopProjected = "projected"
	StopFixed     = "fixed"
)

// The early exit of adaptive sampling, as the Rust side's stop::projected_out_of_reach
// (crates/core/src/results.rs): from projectAfter of the time cap on, a row whose
// interval would reach the target only after more than projectMargin times the cap stops.
const (
	projectAfter  = 0.25
	projectMargin = 2.0
)

// projectedOutOfReach: after elapsed of sampling, the mean's relative half-width hw
// would shrink to precision (both fractions) after about elapsed × (hw/precision)² in
// all (one over the square root of the samples); beyond projectMargin × limit the row
// would miss its target at the cap anyway.
func projectedOutOfReach(elapsed, limit time.Duration, hw, precision float64) bool {
	if !(precision > 0) || limit <= 0 || elapsed.Seconds() < projectAfter*limit.Seconds() {
		return false
	}
	needed := elapsed.Seconds() * (hw / precision) * (hw / precision)
	return !(needed <= projectMargin*limit.Seconds())
}

// maxSamples bounds adaptive sampling whatever the time cap.
const maxSamples = 100_000

// warmAgree: warm-up ends when two consecutive loops of the same length agree within
// this fraction per operation.
const warmAgree = 0.05

// Case is one prepared measurement (scenario x parameter x API).
type Case struct {
	// Loop runs n operations, each checking its own result cheaply, and returns the time
	// they took: normally the whole loop timed at once (see timed); only first_call
	// times a part of each operation, because it needs a fresh instance per op.
	Loop func(n int) (time.Duration, error)
	// Verify is the full check after each sample; nil when every op already checks all
	// of its result.
	Verify func() error
	// InputSHA256 is the sha256 (hex) of the bytes the case feeds the guest (what it
	// copies into linear memory), "" when none; rows carry it so hosts can be compared.
	InputSHA256 string
}

// timed wraps a loop body so that the whole loop of n operations is timed at once.
func timed(body func(n int) error) func(n int) (time.Duration, error) {
	return func(n int) (time.Duration, error) {
		t0 := time.Now()
		err := body(n)
		return time.Since(t0), err
	}
}

// Result is what a measured case yields for its row event.
type Result struct {
	Iters   int64
	NsPerOp []float64
	// Metrics are the runtime's counters per operation over the timed loops
	// (counters.go): cgo calls, heap allocations and bytes, GC cycles and GC CPU time.
	Metrics map[string]float64
	// Stop says what ended the sampling (StopPrecision, ...).
	Stop string
	// Counted replaces the samples under --counts-out.
	Counted *Counted
	// MachineRefNs: with a precision target, MachineRefNs() just before the samples, the
	// first and last decile of the short readings between them (lowHighDecile), and
	// MachineRefNs() just after.
	MachineRefNs []float64
	// SampleMachineNs: with a precision target, the reading just after each sample;
	// MachineFastNs: with FastState, this process's fastest reading when the row ended, nil
	// for a row whose calls make work for the collector.
	SampleMachineNs []float64
	MachineFastNs   *float64
	// Skipped: not measured in this process (a row whose calls make work for the
	// collector, in a later process of the row: see Config.Processes); nothing is emitted.
	Skipped bool
	// Remeasured: a row whose calls make work for the collector measured whole in a later
	// process, as the run asked (Config.Remeasure).
	Remeasured bool
}

// machineData is the reference loop's input (MachineRefNs).
var machineData = func() []int32 {
	d := make([]int32, 10000)
	for i := range d {
		d[i] = int32(i * 7 % 1000)
	}
	return d
}()

var machineSink int32

//go:noinline
func machineSum(d []int32) int32 {
	var s int32
	for _, x := range d {
		s += x
	}
	return s
}

// MachineRefNs is the machine's speed just now, in ns per pass of a reference loop: a
// sum of 10,000 int32 (the native_sum row's work), the median of five timings of 64
// passes. A shared VM changes speed for seconds at a time (a busy sibling hyperthread:
// the same loop 1.4-1.7x slower for whole rows), so each row of a default run carries it
// from just before and just after its samples (the row event's machine_ref_ns, with
// shorter readings between the samples), and a
// comparison allows a row what its machine moved between the two runs (as the Rust host).
func MachineRefNs() float64 {
	var t [5]float64
	for i := range t {
		t[i] = machinePassNs(64)
	}
	slices.Sort(t[:])
	return t[2]
}

// betweenPasses: passes of the reference loop after each sample of a default-run row (a
// few µs, after one untimed pass that brings its data back into the caches). Their first
// and last decile go into the row's MachineRefNs (lowHighDecile).
const betweenPasses = 4

// lowHighDecile is the first and the last decile of readings as order statistics rounded
// inwards (of 10 readings the 1st and the 9th), as the Rust side's
// interop_core::stats::low_high_decile: one preempted reading does not count.
func lowHighDecile(readings []float64) []float64 {
	n := len(readings)
	if n == 0 {
		return nil
	}
	s := slices.Clone(readings)
	slices.Sort(s)
	rank := func(q float64) int { return int(math.Floor(q * float64(n-1))) }
	return []float64{s[rank(0.1)], s[rank(0.9)]}
}

// machinePassNs is one timing of passes passes of the reference loop, ns a pass.
func machinePassNs(passes int) float64 {
	t0 := time.Now()
	for j := 0; j < passes; j++ {
		machineSink += machineSum(machineData)
	}
	x := float64(time.Since(t0).Nanoseconds()) / float64(passes)
	if passes > 1 && x > 0 && x < fastestNs {
		fastestNs = x
	}
	return x
}

// fastestNs: the fastest reading of the reference loop this process has taken (one pass
// and more): the machine's fast state as far as it knows. A worker measures one row at a
// time.
var fastestNs = math.Inf(1)

// State rule of crates/core/src/stats/machine_state.rs (the statistics apply it on load).
const (
	stateTol = 0.25
	minKept  = 5
)

// fastSamples is the samples of a row taken in the machine's fast state so far, with their
// running mean: rebuilt when the process finds a faster state (as the Rust host).
type fastSamples struct {
	before, fast float64
	kept         runningMean
}

func (f *fastSamples) inFast(x float64) bool { return x > 0 && x <= f.fast*(1+stateTol) }

// update after a new sample (the last of samples, with its reading the last of after).
func (f *fastSamples) update(samples, after []float64) {
	if fastestNs != f.fast {
		f.fast, f.kept = fastestNs, runningMean{}
		prev := f.inFast(f.before)
		for i, x := range samples {
			now := f.inFast(after[i])
			if prev && now {
				f.kept.push(x)
			}
			prev = now
		}
		return
	}
	i := len(samples) - 1
	prev := f.before
	if i > 0 {
		prev = after[i-1]
	}
	if f.inFast(prev) && f.inFast(after[i]) {
		f.kept.push(samples[i])
	}
}

// boundReached: a fixed count with a bound (--quick's MaxRowMs without a precision
// target), after n samples that took sampled: the row has its two and is past the bound,
// so it stops short of Samples.
func (cfg Config) boundReached(n int, sampled time.Duration) bool {
	return cfg.PrecisionPct == 0 && n >= 2 && cfg.MaxRowMs > 0 && sampled >= time.Duration(cfg.MaxRowMs*float64(time.Millisecond))
}

func (c Case) run(n int) (time.Duration, error) {
	d, err := c.Loop(n)
	if err != nil {
		return d, err
	}
	if c.Verify != nil {
		if err := c.Verify(); err != nil {
			return d, err
		}
	}
	return d, nil
}

// wallOf runs n checked operations and returns the wall-clock time of the whole, setup
// included (see calibration in Measure).
func wallOf(c Case, n int64) (time.Duration, error) {
	t0 := time.Now()
	_, err := c.run(int(n))
	return time.Since(t0), err
}

// maxIters bounds calibration so that a broken clock cannot loop forever.
const maxIters = 1 << 40

// Measure follows docs/hosts.md: run once and check, warm up, calibrate, take the
// samples. The runtime's counters (counters.go) are read just before and just after
// each timed loop, outside it, and summed over the samples, so a row's metrics are
// what its timed operations made the Go runtime do (the full check after each sample
// is left out); runtime/metrics reads do not stop the world.
func Measure(c Case, cfg Config) (Result, error) {
	var res Result
	// 1. Once, checked, before any timing.
	if _, err := c.run(1); err != nil {
		return res, err
	}
	if cfg.Count != nil {
		cnt, err := countLoop(c, cfg.Count)
		if err != nil {
			return res, err
		}
		res.Counted, res.Iters = cnt, cnt.N1
		return res, nil
	}
	// 2. Warm up: loops doubling in length until one takes an eighth of a sample, then
	// loops of that length until two in a row agree per operation within warmAgree (the
	// engine is warm: tiers compiled, caches filled); never longer than warmup-ms.
	warm := time.Duration(cfg.WarmupMs * float64(time.Millisecond))
	eighth := time.Duration(cfg.TargetSampleMs * float64(time.Millisecond) / 8)
	off := collectorOff() // read once: each read sets the collector's percent twice
	// The warm-up's last loop (operations, wall time): calibration starts from it.
	var lastN int64
	var lastWall time.Duration
	// The warm-up's calls make work for the collector (false without a warm-up).
	allocating := false
	if warm > 0 {
		start := time.Now()
		n := int64(1)
		previous := 0.0
		rd := newCounterReader()
		before := rd.read()
		ops := 0.0
		for time.Since(start) < warm {
			w0 := time.Now()
			d, err := c.run(int(n))
			if err != nil {
				return res, err
			}
			ops += float64(n)
			lastN, lastWall = n, time.Since(w0)
			if lastWall < eighth && n < maxIters {
				n *= 2
				continue
			}
			perOp := float64(d) / float64(n)
			if previous > 0 && math.Abs(perOp/previous-1) <= warmAgree {
				break
			}
			previous = perOp
		}
		// A row whose calls allocate warms up until the collector's share is steady: what
		// the collector and the finalizers do per call grows over the first second or so
		// of a process that calls (wasmtime-go add, one 10 s row at 20:16: 2.40 us a call
		// in its first half second, 2.87 us in the next, 2.9-3.1 us after), and a service
		// pays the steady state. The ramp belongs to the process (its heap, its finalizer
		// queue), and a worker runs one engine's rows one after another, so the process
		// is held until it has called allocating rows for steadyWarm in all (the first
		// such row pays it); every allocating row's samples then start just after a
		// collection (see collectBeforeSamples). Rows that do not allocate, and rows with
		// the collector off, are not held back.
		after := rd.read()
		allocating = ops > 0 && after[1]-before[1] >= ops/100 && !off
		if allocating && cfg.Processes > 1 && cfg.Process > 0 && !cfg.Whole {
			// Measured whole in the first process (see Config.Processes), so not held here,
			// unless the run asks for it again (Config.Remeasure).
			res.Skipped = true
			return res, nil
		}
		res.Remeasured = allocating && cfg.Processes > 1 && cfg.Process > 0 && cfg.Whole
		if allocating {
			hold := min(steadyWarm, 10*warm)
			if rest := hold - allocatingSoFar; rest > 0 {
				for time.Since(start) < rest {
					if _, err := c.run(int(n)); err != nil {
						return res, err
					}
				}
			}
			defer func() { allocatingSoFar += time.Since(start) }()
		}
	}
	if !allocating {
		// Its share of the row's budget, as on the Rust host (see Config.Processes).
		cfg = cfg.perProcess()
	}
	// 3. Calibrate: double until one loop takes a quarter of the target, then scale.
	// Wall-clock time of the whole loop, untimed setup included, so that first_call
	// (a fresh instance per op, made outside the timed part) still takes about the
	// target a sample.
	target := cfg.TargetSampleMs * float64(time.Millisecond)
	if target <= 0 {
		target = 1
	}
	// The loop that reaches a quarter of the target is run twice more and the fastest of
	// the three sets the scale: a loop that happened to contain a collection (and, in a
	// process that calls wasmtime-go, the finalizers of every call since the last one)
	// takes 2-7x longer and would make every sample that much too short. Measured: one
	// GOMAXPROCS=1 wasmtime-go add row calibrated to 1,188 calls a sample (2.8 ms
	// instead of 20) and got an interval of 1.38-3.33 us.
	// A warm-up loop that already took a quarter is the first of the three, and an
	// operation longer than a whole sample (a translated engine's build, a 1 MiB string
	// through an interpreter) is timed at the floor's count whatever the other two say:
	// neither is run again just to be timed.
	// Otherwise the doubling starts from the warm-up's last loop, as on the Rust host, not
	// from one operation again (the doubling from one costs about half a sample more, in
	// every row of every process).
	iters, wall := max(lastN, 1), time.Duration(0)
	if float64(lastWall) >= target/4 && lastN > 0 {
		wall = lastWall
	} else {
		for {
			var err error
			if wall, err = wallOf(c, iters); err != nil {
				return res, err
			}
			if float64(wall) >= target/4 || iters >= maxIters {
				break
			}
			iters *= 2
		}
	}
	for i := 0; i < 2 && float64(wall) < target; i++ {
		w, err := wallOf(c, iters)
		if err != nil {
			return res, err
		}
		wall = min(wall, w)
	}
	if wall > 0 {
		iters = int64(float64(iters) * target / float64(wall))
	}
	// An operation longer than a sample is timed one a sample (as the Rust host; until
	// 2026-11-29 four with a precision target: 40 operations for a row's ten samples).
	iters = max(iters, 1)
	res.Iters = iters
	// 4. The samples, each a loop of iters ops timed as a whole, back to back: whatever
	// the operations leave to the collector and the finalizers lands in later samples,
	// as it does in a service that keeps calling.
	samples := cfg.Samples
	if samples < 1 {
		samples = 1
	}
	adaptive := cfg.PrecisionPct > 0
	maxRow := time.Duration(cfg.MaxRowMs * float64(time.Millisecond))
	res.NsPerOp = make([]float64, 0, samples)
	if allocating {
		collectBeforeSamples()
	}
	rd := newCounterReader()
	var total counters
	var run runningMean
	gcPerByte := processGCNsPerByte(rd.read())
	if adaptive {
		res.MachineRefNs = append(res.MachineRefNs, MachineRefNs())
	}
	var between []float64
	fast := fastSamples{before: math.NaN(), fast: math.NaN()}
	if len(res.MachineRefNs) > 0 {
		fast.before = res.MachineRefNs[0]
	}
	keepAll := !cfg.FastState
	sampling := time.Now()
	for i := 0; ; i++ {
		before := rd.read()
		d, err := c.Loop(int(iters))
		after := rd.read()
		if adaptive {
			// The machine between samples too: its speed can switch in the middle of a row.
			machinePassNs(1) // the sample left the reference's data out of the caches
			between = append(between, machinePassNs(betweenPasses))
		}
		if err == nil && c.Verify != nil {
			err = c.Verify()
		}
		if err != nil {
			return res, fmt.Errorf("sample %d: %w", i+1, err)
		}
		for k := range total {
			total[k] += after[k] - before[k]
		}
		x := float64(d.Nanoseconds()) / float64(iters)
		res.NsPerOp = append(res.NsPerOp, x)
		run.push(x)
		n := len(res.NsPerOp)
		if n < samples {
			// A fixed count with a bound (--quick): a long row stops after two samples.
			if cfg.boundReached(n, time.Since(sampling)) {
				res.Stop = StopTimeCap
				break
			}
			continue
		}
		if !adaptive {
			res.Stop = StopFixed
			break
		}
		ops := float64(iters) * float64(n)
		negligible := off || collectorNegligible(total[2]/ops, run.mean, gcPerByte, cfg.PrecisionPct/100)
		seen := negligible || collectorSeen(total, ops)
		// The calls make work for the collector (at least one heap object per 100 operations).
		allocating := !off && total[1] >= ops/100
		elapsed := time.Since(sampling)
		// A row whose calls make work for the collector stops only with a sample that held
		// a collection: its samples start just after one (collectBeforeSamples), so they
		// then span whole collector cycles and carry their share of the collector's cost.
		// Stopped mid-cycle they would leave out the part of a cycle whose collection had
		// not come yet: up to a cycle in (2 + a part), 20% of wasmtime-go's add at a 250 ms
		// cap (read 0.79 of testing.B on 2026-11-29, with a row's time split between two
		// worker processes). Past twice the cap it stops anyway.
		cycleEnd := !allocating || negligible || after[3] > before[3] || elapsed >= 2*maxRow
		// A row whose calls make work for the collector keeps every sample: it is measured
		// whole in one process, so a row the machine's slow state covered has no other
		// process to be read from, and judged by the fast state such rows spread more
		// between runs, not less, and failed the gate (docs/hosts.md, 2026-11-30).
		keepAll = !cfg.FastState || allocating
		fast.update(res.NsPerOp, between)
		// The interval, once enough samples count (with FastState: taken in the fast state).
		r := &run
		if !keepAll {
			r = &fast.kept
		}
		enough := keepAll || fast.kept.n >= max(samples, minKept)
		hw := r.relativeHalfWidth()
		if enough && hw <= cfg.PrecisionPct/100 && seen && cycleEnd {
			res.Stop = StopPrecision
			break
		}
		if elapsed >= maxRow && cycleEnd {
			res.Stop = StopTimeCap
			break
		}
		var outOfReach bool
		if enough {
			// Not before the collector's share is in the samples (as for precision).
			outOfReach = seen && projectedOutOfReach(elapsed, maxRow, hw, cfg.PrecisionPct/100)
		} else {
			// Too few samples in the fast state yet: wait for it, but not past a quarter of
			// the cap when at this rate they would not be enough by the cap.
			e := elapsed.Seconds()
			outOfReach = e >= projectAfter*maxRow.Seconds() && float64(fast.kept.n)/max(e, 1e-9)*maxRow.Seconds() < float64(samples)
		}
		if outOfReach && cycleEnd {
			res.Stop = StopProjected
			break
		}
		if n >= maxSamples {
			res.Stop = StopSampleCap
			break
		}
	}
	res.Metrics = total.perOp(float64(iters) * float64(len(res.NsPerOp)))
	if adaptive {
		res.SampleMachineNs = between // lowHighDecile does not reorder it
		res.MachineRefNs = append(res.MachineRefNs, lowHighDecile(between)...)
		res.MachineRefNs = append(res.MachineRefNs, MachineRefNs())
		if !keepAll {
			f := fastestNs
			res.MachineFastNs = &f
		}
	}
	return res, nil
}

// minGCCycles: the collections a process must have run before its collector's cost per
// byte counts (processGCNsPerByte). A row's samples wait for more (rowGCCycles): between
// collections its samples are uniformly fast, so a tight interval would come early and
// leave out the collector's and the finalizers' cost, which the calls cause and a service
// pays (issue #9: samples with a collection in them took 2-4x the others on wasmtime-go).
const minGCCycles = 2

// steadyWarm bounds the warm-up of a row whose calls allocate (see Measure), at most
// ten times --warmup-ms (a quick run's 2 ms warm-up holds such a row 20 ms).
const steadyWarm = time.Second

// allocatingSoFar: how long this process has called rows that allocate (warm-up and
// samples), for steadyWarm's once-per-process hold. A worker measures one row at a time.
var allocatingSoFar time.Duration

// collectBeforeSamples runs a collection just before an allocating row's samples, so that
// they start just after one and span whole collector cycles, and what the rows before left
// to the collector and the finalizers is collected before them, not in them. Until the
// evening of 2026-11-29 the row's warm-up instead called it until a collection came of
// itself (a window of one collection, bounded by three times --warmup-ms; until that
// afternoon two), which rows that allocate little waited long for: the scenarios of
// allocating rows spent 26.7-30.6 s outside their samples in three default runs before,
// 17.9-20.0 s in four after (the rest is mostly each process's one-second hold and
// first_call's fresh instances). A forced collection of the worker's small heap takes a few
// ms, and the collector's pacing after it is that of any collection (the next comes when
// the heap has grown by GOGC percent of what it kept).
func collectBeforeSamples() { runtime.GC() }

// collectorOff: the collector is off (debug.SetGCPercent(-1), the *_gc_off rows): no
// collection will come, so none is waited for, in warm-up or in the samples.
func collectorOff() bool {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p < 0
}

// processGCNsPerByte: what the collector has cost this process so far, in CPU ns per
// allocated byte (collector CPU time over bytes allocated since it started), once it has
// collected minGCCycles times; 0 (unknown) before. From a whole-matrix run: 0.03-0.6 ns a
// byte on wazero's rows, 0.8-1.9 on wasmtime-go's and wasmer-go's (finalizers).
func processGCNsPerByte(abs counters) float64 {
	if abs[3] < minGCCycles || abs[2] <= 0 {
		return 0
	}
	return abs[4] * 1e9 / abs[2]
}

// collectorNegligible: at twice this process's collector cost per byte, what the row's
// allocations would cost it per op is under a quarter of the precision target, so the
// samples need not wait for collections of their own (a 30 us call allocating 64 B on
// wazero: about 38 ns of collector at most against a 75 ns quarter of ±1%; such rows ran to
// the time cap, 0.5 s each, waiting for two collections that take seconds to come).
func collectorNegligible(bytesPerOp, nsPerOp, gcNsPerByte, precision float64) bool {
	return gcNsPerByte > 0 && nsPerOp > 0 && precision > 0 && 2*gcNsPerByte*bytesPerOp <= precision/4*nsPerOp
}

// rowGCCycles: a row whose calls make work for the collector (and whose collector's cost
// is not negligible: collectorNegligible) is not stopped, on precision or out of reach,
// before its samples have seen this many collections; its time cap still ends it, at a
// cycle's end. A collector cycle's cost, the finalizers' with it, varies from cycle to
// cycle, and a row's mean over a few cycles varied with them: wasmtime-go's add, stopped
// out of reach after 4 collections (about 130 ms), read 1,964-2,991 ns in five runs
// interleaved with testing.B's 2,484-2,741 (2026-11-29), and scripts/agree-seed.sh's
// median of 16 rounds read 0.86 of the project's testing.B (0.81 of the seed's); with
// this rule (12-16 collections, mostly at its 0.5 s cap), 1.01 (0.95), the next minutes.
const rowGCCycles = 16

// collectorSeen: the loop allocates nothing worth collecting (under one object per 100
// ops), or its samples so far contain rowGCCycles collections.
func collectorSeen(total counters, ops float64) bool {
	return total[1] < ops/100 || total[3] >= rowGCCycles
}

// runningMean is the mean of samples as they arrive with the half-width of its 95%
// Student's t interval (Welford's update), the interval the Rust side computes on load.
type runningMean struct {
	n        int
	mean, m2 float64
}

func (r *runningMean) push(x float64) {
	r.n++
	d := x - r.mean
	r.mean += d / float64(r.n)
	r.m2 += d * (x - r.mean)
}

// relativeHalfWidth is half the interval's width over the mean (+Inf below two samples).
func (r *runningMean) relativeHalfWidth() float64 {
	if r.n < 2 || !(r.mean > 0) {
		return math.Inf(1)
	}
	se := math.Sqrt(r.m2 / float64(r.n-1) / float64(r.n))
	return t975(r.n-1) * se / r.mean
}

// t975 is Student's t 0.975 quantile (two-sided 95%) for df degrees of freedom (gonum's
// distuv). Only the stopping rule uses it; the row's interval is computed from the
// samples on load (statrs, crates/core/src/stats/mean.rs).
func t975(df int) float64 {
	if df < 1 {
		return math.Inf(1)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}
