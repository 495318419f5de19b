package bench

import (
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// MaxMemoryBytes is how much linear memory a guest instance may have (the driver's
// --max-memory-mib, 1 GiB by default). Engines with limits of their own enforce it:
// wazero (RuntimeConfig.WithMemoryLimitPages: a memory.grow over it returns -1, an
// instantiation over it fails) and wasmtime-go (Store.Limiter). wasmer-go has none; the
// orchestrator also holds every worker process to an OS limit (RLIMIT_DATA).
var MaxMemoryBytes uint64 = 1 << 30

// memoryLimitPages is MaxMemoryBytes in 64 KiB pages, at most 65536 (4 GiB).
func memoryLimitPages() uint32 {
	p := MaxMemoryBytes >> 16
	if p > 65536 {
		p = 65536
	}
	return uint32(p)
}

// InterruptEnv is set by the orchestrator's capability probes, never in a measured run:
// engines that can stop a guest that never returns from inside (wazero through a context
// that expires, wasmtime-go through epochs) are configured to, and stop it after about
// this many milliseconds. Unset: nothing is configured, so no timed loop pays for it.
const InterruptEnv = "INTEROP_BENCH_INTERRUPT_MS"

// InterruptAfter is the interruption the probes asked for, or 0 for none.
func InterruptAfter() time.Duration {
	ms, err := strconv.ParseFloat(strings.TrimSpace(os.Getenv(InterruptEnv)), 64)
	if err != nil || math.IsNaN(ms) || ms <= 0 || ms >= 3_600_000 {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}
