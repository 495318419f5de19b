package interopgo

import (
	"fmt"
	"sync"
	"testing"

	"interop-bench/go/bench"
	"interop-bench/go/internal/guest"
)

// The seed's benchmarks, under the seed's names, run on every engine of this build
// (wasmer-go only with -tags wasmer) through the same adapters and scenario code as the
// driver. Sub-benchmarks are named engine=<runtime>/api=<call API>[/mem=<memory API>]
// so that benchstat can compare them.

type loaded struct {
	eng  bench.Engine
	mod  bench.Module
	wasm []byte
}

var (
	enginesOnce sync.Once
	engines     []loaded
	enginesErr  error
)

func allEngines(b *testing.B) []loaded { return loadEngines(b) }

func loadEngines(tb testing.TB) []loaded {
	enginesOnce.Do(func() {
		wasm, err := guest.Bytes()
		if err != nil {
			enginesErr = err
			return
		}
		for _, f := range bench.Factories() {
			if f.Delegate {
				continue
			}
			eng, err := f.New()
			if err != nil {
				enginesErr = fmt.Errorf("%s: %w", f.Name, err)
				return
			}
			mod, err := eng.Compile(wasm)
			if err != nil {
				enginesErr = fmt.Errorf("%s: compile guest: %w", f.Name, err)
				return
			}
			engines = append(engines, loaded{eng, mod, wasm})
		}
	})
	if enginesErr != nil {
		tb.Fatal(enginesErr)
	}
	return engines
}

// runCase checks the case once, then times b.N operations, each checking its result,
// and runs the full check at the end.
func runCase(b *testing.B, c bench.Case, cleanup func()) {
	defer cleanup()
	if _, err := c.Loop(1); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	_, err := c.Loop(b.N)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if c.Verify != nil {
		if err := c.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

// wasmBench runs one scenario case per engine and call API (and memory API when mems
// is set).
func wasmBench(b *testing.B, scenario string, param int64, mems bool) {
	for _, l := range allEngines(b) {
		info := l.eng.Info()
		memAPIs := []string{"view"}
		if mems {
			memAPIs = info.MemoryAPIs
		}
		for _, api := range info.CallAPIs {
			for _, mem := range memAPIs {
				name := "engine=" + info.Runtime + "/api=" + api
				if mems {
					name += "/mem=" + mem
				}
				b.Run(name, func(b *testing.B) {
					c, cleanup, err := bench.PrepareCase(l.eng, l.mod, l.wasm, scenario, param, api, mem)
					if bench.IsNotApplicable(err) {
						b.Skipf("%s: %s: not applicable: %v", info.Runtime, scenario, err)
					}
					if err != nil {
						b.Fatalf("%s: %s: %v", info.Runtime, scenario, err)
					}
					runCase(b, c, cleanup)
				})
			}
		}
	}
}

func nativeBench(b *testing.B, scenario string, param int64) {
	c, err := bench.NativeCase(scenario, param)
	if err != nil {
		b.Fatal(err)
	}
	runCase(b, c, func() {})
}

// BenchmarkGoFunctionCall: a non-inlined Go add, the floor for a call.
func BenchmarkGoFunctionCall(b *testing.B) { nativeBench(b, "native_call", 0) }

// BenchmarkCgoCall: one bare cgo call to an empty C function, the toll every cgo engine
// pays before any Wasm runs (not in the seed; the floor of its wasmtime-go path).
func BenchmarkCgoCall(b *testing.B) { nativeBench(b, "ffi_call", 0) }

// BenchmarkWasmNoOpCall: no_op(), the crossing alone.
func BenchmarkWasmNoOpCall(b *testing.B) { wasmBench(b, "noop", 0, false) }

// BenchmarkWasmAddNumbers: add_numbers(i, 20), checked.
func BenchmarkWasmAddNumbers(b *testing.B) { wasmBench(b, "add", 0, false) }

// BenchmarkWasmBatchCrossing: 256 add_numbers calls inside one cgo call, each checked on
// the C side (ns/op is per batch: divide by 256 for one Wasm call). Only the direct path
// (wasmtime-capi) has it; the other engines' sub-benchmarks are skipped with the reason.
func BenchmarkWasmBatchCrossing(b *testing.B) { wasmBench(b, "batch_crossing", 256, false) }

// BenchmarkWasmReverseStringInPlace: the seed's 51-byte string, buffer allocated once;
// copy in, reverse_string_in_place, copy out, check.
func BenchmarkWasmReverseStringInPlace(b *testing.B) {
	wasmBench(b, "string_roundtrip", int64(len(bench.SeedString)), true)
}

// BenchmarkWasmSumArray: copy 10000 i32 in, sum_array, check the sum.
func BenchmarkWasmSumArray(b *testing.B) { wasmBench(b, "sum_array", 10000, true) }

// BenchmarkGoSumArray: the same 10000 i32 summed in Go.
func BenchmarkGoSumArray(b *testing.B) { nativeBench(b, "native_sum", 10000) }

// TestSeedBenchmarkCases runs each benchmark's cases for three checked operations, so
// that `go test` catches a broken benchmark without timing anything.
func TestSeedBenchmarkCases(t *testing.T) {
	for _, sc := range []struct {
		name  string
		param int64
	}{{"noop", 0}, {"add", 0}, {"string_roundtrip", int64(len(bench.SeedString))}, {"sum_array", 10000}} {
		for _, l := range loadEngines(t) {
			info := l.eng.Info()
			for _, api := range info.CallAPIs {
				for _, mem := range info.MemoryAPIs {
					c, cleanup, err := bench.PrepareCase(l.eng, l.mod, l.wasm, sc.name, sc.param, api, mem)
					if err != nil {
						t.Fatalf("%s %s %s/%s: %v", info.Runtime, sc.name, api, mem, err)
					}
					if _, err := c.Loop(3); err != nil {
						t.Errorf("%s %s %s/%s: %v", info.Runtime, sc.name, api, mem, err)
					} else if c.Verify != nil {
						if err := c.Verify(); err != nil {
							t.Errorf("%s %s %s/%s: %v", info.Runtime, sc.name, api, mem, err)
						}
					}
					cleanup()
				}
			}
		}
	}
	for _, sc := range []string{"native_call", "native_sum"} {
		c, err := bench.NativeCase(sc, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Loop(3); err != nil {
			t.Error(err)
		}
	}
}
