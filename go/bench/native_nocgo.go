//go:build !cgo

package bench

const cgoNote = "cgo disabled in this build: ffi_call not applicable"

const cgoEnabled = false

// FFIEmpty is a stand-in: this build has no cgo.
func FFIEmpty() {}

func ffiCase() (Case, error) {
	return Case{}, errNotApplicable{"this binary was built without cgo (CGO_ENABLED=0), so it cannot call C"}
}
