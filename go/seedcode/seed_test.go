//go:build cgo && !wasmer

// Package seedcode is the founding document's own Go benchmark code, kept as the
// lecture wrote it and changed only where it does not compile, so that the tool's
// figures for wasmtime-go can be checked against an independent testing.B harness
// that nobody tuned:
//
//   - wasmtime-go v17 → v39 (the newest major the Go module proxy serves here);
//   - the module is the project's guest (it exports the lecture's ABI: no_op,
//     add_numbers, allocate, deallocate, reverse_string_in_place, sum_array; its
//     wasm32v1-none build is the lecture's Rust with the lecture's names), found
//     through internal/guest instead of the lecture's relative path;
//   - wasmtime.NewInstance(store, module, nil) → a Linker, because the guest also
//     imports env.host_inc (for the tool's host_import scenario), defined as x+1;
//   - wasmMemory.Write / Read (not in any wasmtime-go version) → copy() through
//     Memory.UnsafeData, which is what wasmtime-go offers;
//   - int33 → int32 (the lecture's own note calls it a typo); unused imports dropped.
//
// Run: cd go && go test ./seedcode -run XXX -bench . -benchtime 1s
package seedcode

import (
	"encoding/binary"
	"fmt"
	"log"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"interop-bench/go/internal/guest"
)

// Global variables for Wasmtime setup, initialized once for all benchmarks.
var (
	engine                       *wasmtime.Engine
	store                        *wasmtime.Store
	module                       *wasmtime.Module
	instance                     *wasmtime.Instance
	wasmMemory                   *wasmtime.Memory
	wasmAllocFunc                *wasmtime.Func
	wasmDeallocFunc              *wasmtime.Func
	wasmNoOpFunc                 *wasmtime.Func
	wasmAddNumbersFunc           *wasmtime.Func
	wasmReverseStringInPlaceFunc *wasmtime.Func
	wasmSumArrayFunc             *wasmtime.Func
)

func setupWasmtime() {
	if engine != nil {
		return // already set up
	}

	engine = wasmtime.NewEngine()
	store = wasmtime.NewStore(engine)

	wasmBytes, err := guest.Bytes()
	if err != nil {
		log.Fatalf("Failed to read wasm module: %v", err)
	}

	module, err = wasmtime.NewModule(engine, wasmBytes)
	if err != nil {
		log.Fatalf("Failed to compile wasm module: %v", err)
	}

	linker := wasmtime.NewLinker(engine)
	err = linker.DefineFunc(store, "env", "host_inc", func(x int32) int32 { return x + 1 })
	if err != nil {
		log.Fatalf("Failed to define env.host_inc: %v", err)
	}
	instance, err = linker.Instantiate(store, module)
	if err != nil {
		log.Fatalf("Failed to instantiate wasm module: %v", err)
	}

	wasmMemory = instance.GetExport(store, "memory").Memory()
	if wasmMemory == nil {
		log.Fatalf("Wasm module must export 'memory'")
	}

	wasmAllocFunc = instance.GetFunc(store, "allocate")
	if wasmAllocFunc == nil {
		log.Fatalf("Wasm module must export 'allocate' function")
	}

	wasmDeallocFunc = instance.GetFunc(store, "deallocate")
	if wasmDeallocFunc == nil {
		log.Fatalf("Wasm module must export 'deallocate' function")
	}

	wasmNoOpFunc = instance.GetFunc(store, "no_op")
	if wasmNoOpFunc == nil {
		log.Fatalf("Wasm module must export 'no_op' function")
	}

	wasmAddNumbersFunc = instance.GetFunc(store, "add_numbers")
	if wasmAddNumbersFunc == nil {
		log.Fatalf("Wasm module must export 'add_numbers' function")
	}

	wasmReverseStringInPlaceFunc = instance.GetFunc(store, "reverse_string_in_place")
	if wasmReverseStringInPlaceFunc == nil {
		log.Fatalf("Wasm module must export 'reverse_string_in_place' function")
	}

	wasmSumArrayFunc = instance.GetFunc(store, "sum_array")
	if wasmSumArrayFunc == nil {
		log.Fatalf("Wasm module must export 'sum_array' function")
	}
}

func wasmAlloc(size int) (int32, error) {
	result, err := wasmAllocFunc.Call(store, int32(size))
	if err != nil {
		return 0, fmt.Errorf("wasm alloc failed: %w", err)
	}
	return result.(int32), nil
}

func wasmDealloc(ptr int32, size int) error {
	_, err := wasmDeallocFunc.Call(store, ptr, int32(size))
	if err != nil {
		return fmt.Errorf("wasm dealloc failed: %w", err)
	}
	return nil
}

// BenchmarkGoFunctionCall measures a simple Go function call overhead.
func BenchmarkGoFunctionCall(b *testing.B) {
	b.ReportAllocs()
	f := func(a, b int32) int32 {
		return a + b
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = f(10, 20)
	}
}

func BenchmarkWasmNoOpCall(b *testing.B) {
	setupWasmtime()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := wasmNoOpFunc.Call(store)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWasmAddNumbers(b *testing.B) {
	setupWasmtime()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		result, err := wasmAddNumbersFunc.Call(store, int32(10), int32(20))
		if err != nil {
			b.Fatal(err)
		}
		if result.(int32) != 30 {
			b.Fatalf("Expected 30, got %v", result)
		}
	}
}

func BenchmarkWasmReverseStringInPlace(b *testing.B) {
	setupWasmtime()
	b.ReportAllocs()
	testString := "hello_world_golang_performance_test_string_for_wasm" // ~50 bytes
	stringBytes := []byte(testString)
	stringLen := len(stringBytes)

	wasmPtr, err := wasmAlloc(stringLen)
	if err != nil {
		b.Fatal(err)
	}
	defer wasmDealloc(wasmPtr, stringLen)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// 1. Write string to Wasm memory
		copy(wasmMemory.UnsafeData(store)[wasmPtr:], stringBytes)

		// 2. Call Wasm function to reverse in-place
		_, err = wasmReverseStringInPlaceFunc.Call(store, wasmPtr, int32(stringLen))
		if err != nil {
			b.Fatal(err)
		}

		// 3. Read back
		reversedBytes := make([]byte, stringLen)
		copy(reversedBytes, wasmMemory.UnsafeData(store)[wasmPtr:int(wasmPtr)+stringLen])
		_ = string(reversedBytes)
	}
}

func BenchmarkWasmSumArray(b *testing.B) {
	setupWasmtime()
	b.ReportAllocs()
	arraySize := 10000
	testArray := make([]int32, arraySize)
	for i := range testArray {
		testArray[i] = int32(i)
	}

	arrayBytes := make([]byte, arraySize*4)
	for i, v := range testArray {
		binary.LittleEndian.PutUint32(arrayBytes[i*4:], uint32(v))
	}

	wasmPtr, err := wasmAlloc(len(arrayBytes))
	if err != nil {
		b.Fatal(err)
	}
	defer wasmDealloc(wasmPtr, len(arrayBytes))

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// 1. Write array to Wasm memory
		copy(wasmMemory.UnsafeData(store)[wasmPtr:], arrayBytes)

		// 2. Call Wasm function to sum array
		result, err := wasmSumArrayFunc.Call(store, wasmPtr, int32(arraySize))
		if err != nil {
			b.Fatal(err)
		}
		_ = result.(int32)
	}
}

func BenchmarkGoSumArray(b *testing.B) {
	b.ReportAllocs()
	arraySize := 10000
	testArray := make([]int32, arraySize)
	for i := range testArray {
		testArray[i] = int32(i)
	}

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var sum int32
		for _, v := range testArray {
			sum += v
		}
		_ = sum
	}
}

// TestSeedCodeSetsUp makes the benchmarks' setup part of `go test ./...`: every export
// the lecture looks up is there with the lecture's calling convention, so a broken
// transcription fails the tests, not only a benchmark run.
func TestSeedCodeSetsUp(t *testing.T) {
	setupWasmtime()
	if _, err := wasmNoOpFunc.Call(store); err != nil {
		t.Fatal(err)
	}
	if r, err := wasmAddNumbersFunc.Call(store, int32(10), int32(20)); err != nil || r.(int32) != 30 {
		t.Fatalf("add_numbers(10, 20) = %v, %v", r, err)
	}
	ptr, err := wasmAlloc(4)
	if err != nil {
		t.Fatal(err)
	}
	copy(wasmMemory.UnsafeData(store)[ptr:], []byte("abcd"))
	if _, err := wasmReverseStringInPlaceFunc.Call(store, ptr, int32(4)); err != nil {
		t.Fatal(err)
	}
	if got := string(wasmMemory.UnsafeData(store)[ptr : ptr+4]); got != "dcba" {
		t.Errorf("reverse_string_in_place gave %q", got)
	}
	if r, err := wasmSumArrayFunc.Call(store, ptr, int32(1)); err != nil || r.(int32) != 0x61626364 {
		t.Errorf("sum_array over one i32 = %v, %v", r, err)
	}
	if err := wasmDealloc(ptr, 4); err != nil {
		t.Fatal(err)
	}
}
