package bench

import (
	"fmt"
	"runtime"
	"time"
)

// Config is the measurement part of the worker command line.
type Config struct {
	WarmupMs       float64
	TargetSampleMs float64
	Samples        int
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
	Iters       int64
	NsPerOp     []float64
	AllocsPerOp float64
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
// samples. allocs_per_op comes from runtime.MemStats.Mallocs over one extra sample
// taken after the timed ones (so ReadMemStats, which stops the world, never lands
// inside or just before a timed sample); it counts Go heap allocations only: whatever
// an engine allocates on the C side (cgo engines) is invisible to it.
func Measure(c Case, cfg Config) (Result, error) {
	var res Result
	// 1. Once, checked, before any timing.
	if _, err := c.run(1); err != nil {
		return res, err
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
	// 4. The samples, each a loop of iters ops timed as a whole.
	samples := cfg.Samples
	if samples < 1 {
		samples = 1
	}
	res.NsPerOp = make([]float64, 0, samples)
	for i := 0; i < samples; i++ {
		d, err := c.run(int(iters))
		if err != nil {
			return res, fmt.Errorf("sample %d: %w", i+1, err)
		}
		res.NsPerOp = append(res.NsPerOp, float64(d.Nanoseconds())/float64(iters))
	}
	// allocs_per_op over one more (untimed) sample.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := c.run(int(iters)); err != nil {
		return res, err
	}
	runtime.ReadMemStats(&after)
	res.AllocsPerOp = float64(after.Mallocs-before.Mallocs) / float64(iters)
	return res, nil
}
