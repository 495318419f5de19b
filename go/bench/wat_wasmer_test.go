//go:build cgo && wasmer

package bench

import "github.com/wasmerio/wasmer-go/wasmer"

func wat2wasm(src string) ([]byte, error) { return wasmer.Wat2Wasm(src) }
