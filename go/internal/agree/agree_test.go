//go:build agree

// Package agree times the wasm2go translation of the guest with testing.B alone, as an
// independent check of the tool's wasm2go rows (scripts/agree-translated.sh). The
// translated package is not in the source tree: the script maps it in with go test
// -overlay from the tool's cache, so this file builds only with -tags agree.
package agree

import (
	"testing"

	"interop-bench/go/bench"
	guest "interop-bench/go/internal/agree/guest"
)

type env struct{}

func (env) Xhost_inc(x int32) int32 { return x + 1 }

func BenchmarkNoop(b *testing.B) {
	m := guest.New(env{})
	for b.Loop() {
		m.Xno_op()
	}
}

func BenchmarkAdd(b *testing.B) {
	m := guest.New(env{})
	a := int32(0)
	for b.Loop() {
		if r := m.Xadd_numbers(a, 20); r != a+20 {
			b.Fatalf("add_numbers(%d, 20) = %d", a, r)
		}
		a++
	}
}

// The zero-copy view of linear memory, held across calls (the tool's "view" API).
func BenchmarkStringRoundtrip51(b *testing.B) {
	const n = 51
	m := guest.New(env{})
	p := m.Xallocate(n)
	mem := *m.Xmemory().Slice() // allocate may grow memory: read the slice after it
	src, dst := bench.TextBytes(n), make([]byte, n)
	for b.Loop() {
		copy(mem[p:int(p)+n], src)
		m.Xreverse_string_in_place(p, n)
		copy(dst, mem[p:int(p)+n])
		if dst[0] != src[n-1] || dst[n-1] != src[0] {
			b.Fatal("the string came back unreversed")
		}
	}
}

func BenchmarkSumArray10000(b *testing.B) {
	const n = 10000
	m := guest.New(env{})
	p := m.Xallocate(4 * n)
	mem := *m.Xmemory().Slice()
	arr, want := bench.I32Array(n)
	data := bench.LEBytes(arr)
	for b.Loop() {
		copy(mem[p:int(p)+4*n], data)
		if s := m.Xsum_array(p, n); s != want {
			b.Fatalf("sum_array = %d, want %d", s, want)
		}
	}
}
