package bench

// Instruction counts under callgrind (interop-bench run --counts, ../docs/counts.md): the
// same two-count difference as the Rust host (crates/host/src/counts.rs). The worker runs
// under `valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=BASE`; each
// counted loop is instrumented from zero and dumped to BASE.<k>, read back at once.

/*
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define INTEROP_HAVE_CALLGRIND 1
#endif
#endif
static int interop_cg_available(void) {
#ifdef INTEROP_HAVE_CALLGRIND
	return 1;
#else
	return 0;
#endif
}
static unsigned interop_cg_running(void) {
#ifdef INTEROP_HAVE_CALLGRIND
	return RUNNING_ON_VALGRIND;
#else
	return 0;
#endif
}
static void interop_cg_begin(void) {
#ifdef INTEROP_HAVE_CALLGRIND
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
#endif
}
static void interop_cg_end(void) {
#ifdef INTEROP_HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS;
	CALLGRIND_STOP_INSTRUMENTATION;
#endif
}
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// CountSpec: count instead of timing. Out is callgrind's --callgrind-out-file.
type CountSpec struct {
	Out     string
	Work    int64
	Repeats int
}

// Counted is what a counted case yields: loop lengths, instructions per op per repeat.
type Counted struct {
	N1, N2 int64
	PerOp  []float64
	// GCCycles: collections in the n2 loop less those in the n1 loop, per repeat (with
	// the collector on; zeros when it is off).
	GCCycles []float64
}

// CountEvent is the `count` event of docs/hosts.md.
type CountEvent struct {
	Event             string           `json:"event"` // "count"
	Host              string           `json:"host"`
	Runtime           string           `json:"runtime"`
	API               string           `json:"api"`
	Scenario          string           `json:"scenario"`
	Params            map[string]int64 `json:"params"`
	N1                int64            `json:"n1"`
	N2                int64            `json:"n2"`
	InstructionsPerOp []float64        `json:"instructions_per_op"`
	GCCycles          []float64        `json:"gc_cycles,omitempty"`
	Verified          bool             `json:"verified"`
}

var dumps int

// CheckCounting says why this process cannot count, or nil.
func CheckCounting() error {
	if C.interop_cg_available() == 0 {
		return errors.New("this Go worker was built without valgrind's headers (valgrind/callgrind.h), so it cannot count: run scripts/install-deps.sh")
	}
	if C.interop_cg_running() == 0 {
		return errors.New("--counts-out: this worker is not running under valgrind (interop-bench run --counts starts it under callgrind)")
	}
	return nil
}

// ParseTotal reads the totals: (or summary:) line of a callgrind dump.
func ParseTotal(text string) (uint64, bool) {
	for _, key := range []string{"totals:", "summary:"} {
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, key) {
				f := strings.Fields(strings.TrimPrefix(l, key))
				if len(f) > 0 {
					if v, err := strconv.ParseUint(f[0], 10, 64); err == nil {
						return v, true
					}
				}
			}
		}
	}
	return 0, false
}

// count runs f instrumented from zero and returns the instructions every thread executed.
func count(out string, f func() error) (uint64, error) {
	C.interop_cg_begin()
	err := f()
	C.interop_cg_end()
	dumps++
	if err != nil {
		return 0, err
	}
	path := fmt.Sprintf("%s.%d", out, dumps)
	paths := []string{path}
	if _, err := os.Stat(path); err != nil {
		// --separate-threads=yes: one file a thread, BASE.<k>-<thread>.
		paths, _ = filepath.Glob(path + "-*")
	}
	if len(paths) == 0 {
		return 0, fmt.Errorf("cannot read callgrind's dump %s", path)
	}
	var total uint64
	for _, p := range paths {
		b, rerr := os.ReadFile(p)
		if rerr != nil {
			return 0, fmt.Errorf("cannot read callgrind's dump: %w", rerr)
		}
		os.Remove(p)
		v, ok := ParseTotal(string(b))
		if !ok {
			return 0, fmt.Errorf("callgrind's dump %s has no totals line", p)
		}
		total += v
	}
	return total, nil
}

const countProbe = 16

// countLoop: warm up, probe, then Repeats pairs of loops of n1 and n2 = 5·n1 operations
// with about spec.Work instructions between them; each pair gives (Ir(n2)-Ir(n1))/(n2-n1).
func countLoop(c Case, spec *CountSpec) (*Counted, error) {
	// One op first: an op that is itself a large share of the work (a 1 MiB string
	// through an interpreter) is probed and counted in ones, not in countProbe loops, or
	// a row runs for minutes under callgrind (the Rust host does the same).
	if _, err := c.run(1); err != nil {
		return nil, err
	}
	one, err := count(spec.Out, func() error { _, e := c.run(1); return e })
	if err != nil {
		return nil, err
	}
	per, least := float64(one), int64(1)
	if one*countProbe < uint64(spec.Work) {
		if _, err := c.run(countProbe); err != nil {
			return nil, err
		}
		probe, err := count(spec.Out, func() error { _, e := c.run(countProbe); return e })
		if err != nil {
			return nil, err
		}
		per, least = float64(probe)/countProbe, 4
	}
	per = math.Max(per, 1)
	n1 := max(int64(math.Ceil(float64(spec.Work)/per/4)), least)
	if collectorOn() {
		// The collector's work comes in cycles: the window between the two loops must
		// hold several of them, or the collector's share is 0 or a whole cycle by chance.
		before := readHeap()
		if _, err := c.run(int(n1)); err != nil {
			return nil, err
		}
		after := readHeap()
		perOp := float64(after.allocs-before.allocs) / float64(n1)
		if perOp > 0 {
			want := int64(math.Ceil(gcCyclesPerWindow * float64(after.cycleBytes()) / perOp / 4))
			limit := int64(gcWorkFactor * float64(spec.Work) / per / 4)
			n1 = max(n1, min(want, limit))
		}
	}
	n2 := 5 * n1
	if _, err := c.run(int(n1)); err != nil {
		return nil, err
	}
	reps := spec.Repeats
	if reps < 1 {
		reps = 1
	}
	res := &Counted{N1: n1, N2: n2}
	on := collectorOn()
	for i := 0; i < reps; i++ {
		c0 := readHeap().cycles
		a, err := count(spec.Out, func() error { _, e := c.run(int(n1)); return e })
		if err != nil {
			return nil, err
		}
		c1 := readHeap().cycles
		b, err := count(spec.Out, func() error { _, e := c.run(int(n2)); return e })
		if err != nil {
			return nil, err
		}
		c2 := readHeap().cycles
		res.PerOp = append(res.PerOp, (float64(b)-float64(a))/float64(n2-n1))
		if on {
			res.GCCycles = append(res.GCCycles, float64(c2-c1)-float64(c1-c0))
		}
	}
	return res, nil
}

// With the collector on: collection cycles wanted between the two counted loops, and the
// most instructions (as a multiple of --count-work) a row may take to get them.
const (
	gcCyclesPerWindow = 4
	gcWorkFactor      = 10
)

// collectorOn: GOGC is not off.
func collectorOn() bool {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p >= 0
}

type heapState struct{ allocs, goal, live, cycles uint64 }

// cycleBytes: what may be allocated before the next collection (the heap goal less the
// live heap), at least the runtime's 4 MiB minimum goal.
func (h heapState) cycleBytes() uint64 {
	if h.goal > h.live && h.goal-h.live > 4<<20 {
		return h.goal - h.live
	}
	return 4 << 20
}

func readHeap() heapState {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	return heapState{v(0), v(1), v(2), v(3)}
}
