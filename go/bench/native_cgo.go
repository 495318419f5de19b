//go:build cgo

package bench

/*
static void interop_empty(void) {}

*/
import "C"

const cgoNote = "cgo enabled"

const cgoEnabled = true

// FFIEmpty is one bare cgo call to an empty C function.
func FFIEmpty() { C.interop_empty() }

func ffiCase() (Case, error) {
	return Case{Loop: timed(func(k int) error {
		for i := 0; i < k; i++ {
			C.interop_empty()
		}
		return nil
	})}, nil
}
