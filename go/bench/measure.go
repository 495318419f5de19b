package bench

import (
	"fmt"
	"time"
)

// Config is the measurement part of the worker command line.
type Config struct {
	WarmupMs       float64
	TargetSampleMs float64
	Samples        int
	// Count, when set, counts instructions under callgrind instead of timing (counts.go).
	Count *CountSpec
}

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
	// Counted replaces the samples under --counts-out.
	Counted *Counted
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

// maxIters bounds calibration so that a broken clock cannot loop forever.
const maxIters = 1 << 40

// minIters: even an operation longer than a sample is timed several to a sample.
const minIters = 4

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
	// 2. Warm up for at least warmup-ms, doubling the loop length up to ~1 ms a loop.
	warm := time.Duration(cfg.WarmupMs * float64(time.Millisecond))
	if warm > 0 {
		start := time.Now()
		n := 1
		for time.Since(start) < warm {
			d, err := c.run(n)
			if err != nil {
				return res, err
			}
			if d < time.Millisecond && n < maxIters {
				n *= 2
			}
		}
	}
	// 3. Calibrate: double until one loop takes a quarter of the target, then scale.
	// Wall-clock time of the whole loop, untimed setup included, so that first_call
	// (a fresh instance per op, made outside the timed part) still takes about the
	// target a sample.
	target := cfg.TargetSampleMs * float64(time.Millisecond)
	if target <= 0 {
		target = 1
	}
	iters := int64(1)
	var wall time.Duration
	for {
		t0 := time.Now()
		if _, err := c.run(int(iters)); err != nil {
			return res, err
		}
		wall = time.Since(t0)
		if float64(wall) >= target/4 || iters >= maxIters {
			break
		}
		iters *= 2
	}
	if wall > 0 {
		iters = int64(float64(iters) * target / float64(wall))
	}
	if iters < minIters {
		iters = minIters
	}
	res.Iters = iters
	// 4. The samples, each a loop of iters ops timed as a whole, back to back: whatever
	// the operations leave to the collector and the finalizers lands in later samples,
	// as it does in a service that keeps calling.
	samples := cfg.Samples
	if samples < 1 {
		samples = 1
	}
	res.NsPerOp = make([]float64, 0, samples)
	rd := newCounterReader()
	var total counters
	for i := 0; i < samples; i++ {
		before := rd.read()
		d, err := c.Loop(int(iters))
		after := rd.read()
		if err == nil && c.Verify != nil {
			err = c.Verify()
		}
		if err != nil {
			return res, fmt.Errorf("sample %d: %w", i+1, err)
		}
		for k := range total {
			total[k] += after[k] - before[k]
		}
		res.NsPerOp = append(res.NsPerOp, float64(d.Nanoseconds())/float64(iters))
	}
	res.Metrics = total.perOp(float64(iters) * float64(samples))
	return res, nil
}
