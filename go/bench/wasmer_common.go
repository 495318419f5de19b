package bench

// Shared by the wasmer-go adapter and its delegate entry (which must describe it
// without linking it).
var wasmerCallAPIs = []string{"call"}

const wasmerNotes = "cgo over wasmer's libwasmer.so shipped in wasmer-go v1.0.4 (unmaintained); " +
	"call = Function.Call (its cached Native closure); view = Memory.Data held, copy = Memory.Data per access then copy(); " +
	"allocs_per_op misses C-side allocations"
