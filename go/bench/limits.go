package bench

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
