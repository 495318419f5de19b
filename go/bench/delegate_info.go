package bench

// WasmerGoVersion is the wasmer-go version go.mod pins (it is not linked into the
// default binary, so the build info cannot tell).
const WasmerGoVersion = "v1.0.4"

// DelegateInfo is the runtime event of a runtime this binary hands to another one.
func DelegateInfo(f Factory) RuntimeInfo {
	info := RuntimeInfo{Runtime: f.Name, Notes: "runs in a separate binary built with -tags " + f.BuildTags}
	if f.Name == "wasm2go" {
		return wasm2goInfo()
	}
	if f.Name == "wasmer-capi" {
		capi := wasmerCapiInfo()
		capi.Notes += "; " + info.Notes
		return capi
	}
	if f.Name == "wasmer-go" {
		info.Engine = "wasmer"
		info.Version = WasmerGoVersion
		info.CallAPIs = wasmerCallAPIs
		info.MemoryAPIs = []string{"view", "copy"}
		info.FFI = "cgo"
		info.DirectPath = "wasmer-capi"
		info.Notes = wasmerNotes + "; " + info.Notes + " (wasmer-go and wasmtime-go both define the wasm.h C API, so they cannot share one binary)"
	}
	return info
}
