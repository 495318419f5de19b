//go:build !wasmer

package bench

// wasmer-go cannot share a binary with wasmtime-go: both export the standard wasm.h C
// API (wasm_engine_new, wasm_module_new, ...), and the static libwasmtime.a that
// wasmtime-go links wins the symbol resolution over wasmer-go's libwasmer.so, so a
// combined binary would silently run wasmer-go's calls on wasmtime's C API. So this
// (default) build registers wasmer-go as a delegate: the driver builds the same command
// with -tags wasmer (wazero + wasmer-go, no wasmtime-go) and hands the run to it.

func init() {
	register(Factory{Name: "wasmer-go", Delegate: true, BuildTags: "wasmer", DelegateSuffix: "wasmer"})
	register(Factory{Name: "wasmer-capi", Delegate: true, BuildTags: "wasmer", DelegateSuffix: "wasmer"})
}
