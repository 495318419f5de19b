module interop-bench/go

go 1.26.0

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	github.com/tetratelabs/wazero v1.12.0
	github.com/wasmerio/wasmer-go v1.0.4
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/ncruces/wasm2go v0.4.22 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

tool github.com/ncruces/wasm2go
