package bench

import (
	"fmt"
	"runtime"
)

// NativeInfo is the runtime event of the Go baseline.
func NativeInfo() RuntimeInfo {
	return RuntimeInfo{
		Runtime:    "native",
		Engine:     "go",
		Version:    runtime.Version(),
		CallAPIs:   []string{"direct"},
		MemoryAPIs: []string{},
		Notes:      "Go baselines: non-inlined Go functions; ffi_call is a bare cgo call to an empty C function (" + cgoNote + ")",
	}
}

// nativeCase prepares one case of a native (Go baseline) scenario.
func nativeCase(name string, param int64) (Case, error) {
	switch name {
	case "empty":
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				emptyBody()
			}
			return nil
		})}, nil
	case "native_call":
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				a := int32(i)
				if r := AddI32(a, 20); r != a+20 {
					return fmt.Errorf("add(%d, 20) returned %d", a, r)
				}
			}
			return nil
		})}, nil
	case "ffi_call":
		return ffiCase()
	case "native_sum":
		arr, want := I32Array(int(param))
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				if s := SumI32(arr); s != want {
					return fmt.Errorf("sum of %d i32 returned %d, expected %d", len(arr), s, want)
				}
			}
			return nil
		})}, nil
	case "native_sum_scalar":
		// Go's compiler does not auto-vectorize: its native_sum is already a scalar loop.
		// This is the same loop, kept for the comparison the Rust host makes.
		arr, want := I32Array(int(param))
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				if s := SumI32Scalar(arr); s != want {
					return fmt.Errorf("scalar sum of %d i32 returned %d, expected %d", len(arr), s, want)
				}
			}
			return nil
		})}, nil
	}
	return Case{}, errNoImpl{name}
}
