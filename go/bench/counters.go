package bench

import (
	"runtime/metrics"
	"syscall"
)

// The Go runtime's own counters, read around the timed loops (runtime/metrics: no
// stop-the-world), so that every Go row says per operation what its calls made the
// runtime do: cgo calls, heap allocations and bytes, garbage-collection cycles and the
// collector's CPU time. These are counts of what happened, measured, not read from an
// engine's source.
var counterNames = [...]string{
	"/cgo/go-to-c-calls:calls",
	"/gc/heap/allocs:objects",
	"/gc/heap/allocs:bytes",
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"", // the process's CPU time, every thread (getrusage): see read
}

// The row metrics they become, in the same order (per operation).
var counterMetrics = [...]string{
	"cgo_calls_per_op",
	"allocs_per_op",
	"bytes_per_op",
	"gc_cycles_per_op",
	"gc_cpu_ns_per_op",
	"cpu_ns_per_op",
}

// counterScale turns each counter's unit into its metric's (seconds to ns for CPU time).
var counterScale = [...]float64{1, 1, 1, 1, 1e9, 1}

type counters [len(counterNames)]float64

// counterReader reads the counters into a reused sample slice (no allocation per read).
type counterReader struct{ s []metrics.Sample }

func newCounterReader() *counterReader {
	r := &counterReader{s: make([]metrics.Sample, cpuIndex)}
	for i := range r.s {
		r.s[i].Name = counterNames[i]
	}
	return r
}

// cpuIndex is the process-CPU counter's slot, the last: runtime/metrics only estimates
// CPU time from wall time and GOMAXPROCS, so it is read from the kernel instead. It is
// every thread's user and system time, so it includes what the calls made other threads
// do in parallel (background GC workers, the finalizer goroutine, a runtime's own
// threads), which wall time per op does not see when a spare core absorbs it.
const cpuIndex = len(counterNames) - 1

func processCPUNs() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r *counterReader) read() counters {
	bg := float64(backgroundAllocs.Load())
	metrics.Read(r.s)
	var c counters
	c[cpuIndex] = processCPUNs()
	for i, s := range r.s {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			c[i] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			c[i] = s.Value.Float64()
		}
	}
	// A *_gc_load case's background garbage is not its calls' (gc.go); its GC cycles
	// and GC CPU time stay in, since the calls share that collector.
	c[1] -= bg
	c[2] -= bg * objBytes
	return c
}

// perOp is the metrics map of a row: each counter's total over the timed loops divided
// by the operations they ran.
func (c counters) perOp(ops float64) map[string]float64 {
	m := make(map[string]float64, len(c))
	for i, v := range c {
		if i == cpuIndex && loadRunning.Load() {
			// A *_gc_load row's process CPU is mostly the load's own work, not its calls'.
			continue
		}
		// A count cannot fall: the heap counters move in spans, not objects, so
		// subtracting the background load's exact count can dip a hair below zero.
		m[counterMetrics[i]] = max(0, v*counterScale[i]/ops)
	}
	return m
}
