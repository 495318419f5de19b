//go:build cgo && !wasmer

package bench

import wasmtime "github.com/bytecodealliance/wasmtime-go/v39"

func wat2wasm(src string) ([]byte, error) { return wasmtime.Wat2Wasm(src) }
