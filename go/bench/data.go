package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// sha256Hex is the sha256 of the concatenated parts, lowercase hex.
func sha256Hex(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SeedString is the founding document's 51-byte string.
const SeedString = "hello_world_golang_performance_test_string_for_wasm"

// TextBytes returns n bytes of lowercase text; at 51 bytes it is the seed's string.
// This file's inputs are the canonical inputs of both hosts (the Rust host's
// crates/host/src/runner.rs `inputs` computes the same bytes; rows record their sha256).
func TextBytes(n int) []byte {
	if n == len(SeedString) {
		return []byte(SeedString)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte((i*7+i/26)%26)
	}
	return b
}

// I32Array is the array every sum scenario uses (Go and guest alike), with its wrapping
// sum computed independently of SumI32.
func I32Array(n int) ([]int32, int32) {
	a := make([]int32, n)
	var wide int64
	for i := range a {
		a[i] = int32(uint32(i)*2654435761 + 12345)
		wide += int64(a[i])
	}
	return a, int32(uint32(uint64(wide)))
}

// LEBytes is the little-endian image of an i32 array (as it lies in linear memory).
func LEBytes(a []int32) []byte {
	b := make([]byte, 4*len(a))
	for i, x := range a {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

// SumI32 is the Go baseline: a wrapping sum, not inlined.
//
//go:noinline
func SumI32(a []int32) int32 {
	var s int32
	for _, x := range a {
		s += x
	}
	return s
}

// SumI32Scalar is native_sum_scalar: the same loop as SumI32, which Go's compiler does
// not vectorize either (the Rust host's scalar sum keeps its compiler from vectorizing).
//
//go:noinline
func SumI32Scalar(a []int32) int32 {
	var s int32
	for _, x := range a {
		s += x
	}
	return s
}

// AddI32 is the Go baseline call, not inlined.
//
//go:noinline
func AddI32(a, b int32) int32 { return a + b }

//go:noinline
func emptyBody() {}

func reversedEqual(got, src []byte) bool {
	if len(got) != len(src) {
		return false
	}
	n := len(src)
	for i := 0; i < n; i++ {
		if got[i] != src[n-1-i] {
			return false
		}
	}
	return true
}

// callError is an engine error from calling an export (typically a trap).
type callError struct {
	export string
	err    error
}

func (e *callError) Error() string {
	return fmt.Sprintf("call to export %s failed: %v", e.export, e.err)
}

// checkError is a wrong result.
type checkError struct {
	export string
	msg    string
}

func (e *checkError) Error() string { return fmt.Sprintf("export %s: %s", e.export, e.msg) }

func mismatch(export, format string, args ...any) error {
	return &checkError{export: export, msg: fmt.Sprintf(format, args...)}
}
