package bench

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// The garbage collector's part in a call, measured (issue #9, the founding document's
// "GC interaction"): the seed's three calls (noop, add, the 51-byte string round trip)
// again, once with the collector off and once while a background goroutine makes a
// service's ordinary garbage at a steady rate. Against the default rows of the same
// calls, the difference is what the collector costs those calls per operation.
type gcMode int

const (
	gcOff  gcMode = iota // debug.SetGCPercent(-1) for the whole case: no collection at all
	gcLoad               // default collector, plus backgroundGarbage running
)

type gcVariant struct {
	base string // the scenario whose body runs
	mode gcMode
}

// gcVariants maps each GC scenario of scenarios.toml to its body and collector setting.
var gcVariants = map[string]gcVariant{
	"noop_gc_off":              {"noop", gcOff},
	"add_gc_off":               {"add", gcOff},
	"string_roundtrip_gc_off":  {"string_roundtrip", gcOff},
	"noop_gc_load":             {"noop", gcLoad},
	"add_gc_load":              {"add", gcLoad},
	"string_roundtrip_gc_load": {"string_roundtrip", gcLoad},
}

// The background load: liveBytes of live data in objects of objBytes, a share of them
// replaced every millisecond so that rateBytesPerSec of garbage is made.
const (
	liveBytes       = 32 << 20
	objBytes        = 1 << 10
	rateBytesPerSec = 64 << 20
)

// apply sets the collector up for a case and returns what undoes it.
func (m gcMode) apply() (restore func()) {
	switch m {
	case gcOff:
		runtime.GC() // start from a collected heap, as the default rows effectively do
		old := debug.SetGCPercent(-1)
		return func() {
			debug.SetGCPercent(old)
			runtime.GC()
		}
	case gcLoad:
		stop := make(chan struct{})
		loadRunning.Store(true)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			backgroundGarbage(stop)
		}()
		return func() {
			close(stop)
			wg.Wait()
			loadRunning.Store(false)
			runtime.GC()
		}
	}
	return func() {}
}

// backgroundAllocs counts the load's own allocations (objects; bytes = objects x
// objBytes), which the row counters subtract: a row's allocs_per_op stays its calls'.
var backgroundAllocs atomic.Uint64

// loadRunning is true while backgroundGarbage runs: the process CPU counter is left out.
var loadRunning atomic.Bool

// backgroundGarbage keeps liveBytes alive and replaces rateBytesPerSec of it a second,
// in one-millisecond steps, until stop is closed.
func backgroundGarbage(stop <-chan struct{}) {
	live := make([][]byte, liveBytes/objBytes)
	for i := range live {
		live[i] = make([]byte, objBytes)
	}
	backgroundAllocs.Add(uint64(len(live)) + 1)
	perStep := rateBytesPerSec / objBytes / 1000
	next := 0
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		for j := 0; j < perStep; j++ {
			live[next] = make([]byte, objBytes)
			next = (next + 1) % len(live)
		}
		backgroundAllocs.Add(uint64(perStep))
	}
}
