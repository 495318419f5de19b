module interop-bench/go

go 1.25.0

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	github.com/tetratelabs/wazero v1.12.0
	github.com/wasmerio/wasmer-go v1.0.4
)

require golang.org/x/sys v0.44.0 // indirect
