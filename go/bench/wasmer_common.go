package bench

// Shared by the wasmer-go adapter and its delegate entry (which must describe it
// without linking it).
var wasmerCallAPIs = []string{"call"}

// wasmerCapiInfo describes wasmer-capi (engine_wasmer_capi.go), in either build.
func wasmerCapiInfo() RuntimeInfo {
	return RuntimeInfo{
		Runtime:    "wasmer-capi",
		Engine:     "wasmer",
		Version:    WasmerGoVersion,
		CallAPIs:   []string{"checked"},
		MemoryAPIs: []string{"view", "copy"},
		FFI:        "cgo",
		Notes: "the direct path to wasmer's C API through the libwasmer.so that wasmer-go ships: " +
			"checked = one cgo call into a C shim calling wasm_func_call with argument and result vectors " +
			"built once (wasm.h has no unchecked call); memory and start-up as wasmer-go",
	}
}

const wasmerNotes = "cgo over wasmer's libwasmer.so shipped in wasmer-go v1.0.4 (unmaintained); " +
	"call = Function.Call (its cached Native closure); view = Memory.Data held, copy = Memory.Data per access then copy(); " +
	"allocs_per_op misses C-side allocations"
