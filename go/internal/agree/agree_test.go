//go:build agree

// Package agree times the wasm2go translation of the guest with testing.B alone, as an
// independent check of the tool's wasm2go rows (scripts/agree-translated.sh). The
// translated package is not in the source tree: the script maps it in with go test
// -overlay from the tool's cache, so this file builds only with -tags agree.
//
// Each case is written twice. The b.N form (BenchmarkX) runs the same body as the tool's
// generated loop (go/bench/wasm2go_main.tmpl, api direct, memory view): the generated
// method called directly, guest memory touched with copy() on the held memory slice,
// every result checked in the loop; it is what the tool's row is compared with. The
// b.Loop form (BenchmarkXLoop, Go 1.24's idiom) differs in its loop alone: b.Loop keeps
// b's counter in memory (a load and a store every iteration: a loop-carried dependency
// through memory) and the compiler keeps each call's arguments and results alive
// (cmd/compile/internal/bloop), so at 1 ns a call it measures its own loop, not the
// call; BenchmarkEmpty* show both loops' floors beside the tool's `empty` row.
package agree

import (
	"testing"

	"interop-bench/go/bench"
	guest "interop-bench/go/internal/agree/guest"
)

type env struct{}

func (env) Xhost_inc(x int32) int32 { return x + 1 }

//go:noinline
func emptyBody() {}

// The tool's `empty` row: a loop around a call of a non-inlined empty function.
func BenchmarkEmpty(b *testing.B) {
	for i := 0; i < b.N; i++ {
		emptyBody()
	}
}

func BenchmarkEmptyLoop(b *testing.B) {
	for b.Loop() {
		emptyBody()
	}
}

func BenchmarkNoop(b *testing.B) {
	m := guest.New(env{})
	for i := 0; i < b.N; i++ {
		m.Xno_op()
	}
}

func BenchmarkNoopLoop(b *testing.B) {
	m := guest.New(env{})
	for b.Loop() {
		m.Xno_op()
	}
}

func BenchmarkAdd(b *testing.B) {
	m := guest.New(env{})
	for i := 0; i < b.N; i++ {
		a := int32(i)
		if r := m.Xadd_numbers(a, 20); r != a+20 {
			b.Fatalf("add_numbers(%d, 20) = %d", a, r)
		}
	}
}

func BenchmarkAddLoop(b *testing.B) {
	m := guest.New(env{})
	a := int32(0)
	for b.Loop() {
		if r := m.Xadd_numbers(a, 20); r != a+20 {
			b.Fatalf("add_numbers(%d, 20) = %d", a, r)
		}
		a++
	}
}

// stringCase is the 51-byte round trip's setup: the zero-copy view of linear memory,
// held across calls (the tool's "view" API), read after allocate (which may grow it).
func stringCase(b *testing.B) (*guest.Module, []byte, uint32, []byte, []byte) {
	const n = 51
	m := guest.New(env{})
	p := uint32(m.Xallocate(n))
	if p == 0 {
		b.Fatal("allocate returned 0")
	}
	return m, *m.Xmemory().Slice(), p, bench.TextBytes(n), make([]byte, n)
}

func BenchmarkStringRoundtrip51(b *testing.B) {
	const n = 51
	m, mem, p, src, dst := stringCase(b)
	for i := 0; i < b.N; i++ {
		copy(mem[p:int(p)+n], src)
		m.Xreverse_string_in_place(int32(p), n)
		copy(dst, mem[p:int(p)+n])
		if dst[0] != src[n-1] || dst[n-1] != src[0] {
			b.Fatal("the string came back unreversed")
		}
	}
}

func BenchmarkStringRoundtrip51Loop(b *testing.B) {
	const n = 51
	m, mem, p, src, dst := stringCase(b)
	for b.Loop() {
		copy(mem[p:int(p)+n], src)
		m.Xreverse_string_in_place(int32(p), n)
		copy(dst, mem[p:int(p)+n])
		if dst[0] != src[n-1] || dst[n-1] != src[0] {
			b.Fatal("the string came back unreversed")
		}
	}
}

func sumCase(b *testing.B) (*guest.Module, []byte, uint32, []byte, int32) {
	const n = 10000
	m := guest.New(env{})
	p := uint32(m.Xallocate(4 * n))
	if p == 0 {
		b.Fatal("allocate returned 0")
	}
	arr, want := bench.I32Array(n)
	return m, *m.Xmemory().Slice(), p, bench.LEBytes(arr), want
}

func BenchmarkSumArray10000(b *testing.B) {
	const n = 10000
	m, mem, p, data, want := sumCase(b)
	for i := 0; i < b.N; i++ {
		copy(mem[p:int(p)+4*n], data)
		if s := m.Xsum_array(int32(p), n); s != want {
			b.Fatalf("sum_array = %d, want %d", s, want)
		}
	}
}

func BenchmarkSumArray10000Loop(b *testing.B) {
	const n = 10000
	m, mem, p, data, want := sumCase(b)
	for b.Loop() {
		copy(mem[p:int(p)+4*n], data)
		if s := m.Xsum_array(int32(p), n); s != want {
			b.Fatalf("sum_array = %d, want %d", s, want)
		}
	}
}
