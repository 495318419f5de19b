//go:build cgo && !wasmer

package bench

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
)

// wasmtime_capi.h declares wasmtime's types and prototypes itself (a plain go build
// cannot include the headers in the module cache). Compiled after the real <wasmtime.h>
// of the wasmtime-go module this build links, a prototype that differs is a compile
// error; and every size, offset and constant in INTEROP_WT_LAYOUT must be the same as
// the adapter's own build of the header sees it.
func TestCapiHeaderMatchesWasmtime(t *testing.T) {
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		gocmd = p
	}
	out, err := exec.Command(gocmd, "list", "-m", "-f", "{{.Dir}}", "github.com/bytecodealliance/wasmtime-go/v39").Output()
	if err != nil {
		t.Fatalf("go list the wasmtime-go module: %v", err)
	}
	include := filepath.Join(strings.TrimSpace(string(out)), "build", "include")
	if _, err := os.Stat(filepath.Join(include, "wasmtime.h")); err != nil {
		t.Fatalf("wasmtime-go's headers: %v", err)
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "layout.c")
	prog := `#include <wasmtime.h>
#include "wasmtime_capi.h"
#include <stdio.h>
int main(void) {
#define P(v) printf("%zu\n", (size_t)(v));
  INTEROP_WT_LAYOUT(P)
  return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "layout")
	if b, err := exec.Command(cc, "-std=gnu11", "-I", include, "-I", here, "-o", exe, src).CombinedOutput(); err != nil {
		t.Fatalf("compiling wasmtime_capi.h after the real wasmtime.h failed (a prototype differs?): %v\n%s", err, b)
	}
	b, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	var real []uint64
	for _, f := range strings.Fields(string(b)) {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		real = append(real, v)
	}
	ours := capiLayout()
	if len(ours) < 20 || len(real) != len(ours) {
		t.Fatalf("layout lists differ in length: real headers %d, ours %d", len(real), len(ours))
	}
	for i := range ours {
		if ours[i] != real[i] {
			t.Errorf("INTEROP_WT_LAYOUT entry %d: wasmtime's headers say %d, wasmtime_capi.h %d", i, real[i], ours[i])
		}
	}
}

func newCapiInstance(t *testing.T, wasm []byte) (*capiEngine, Instance) {
	t.Helper()
	e, err := newCapi()
	if err != nil {
		t.Fatal(err)
	}
	eng := e.(*capiEngine)
	mod, err := eng.Compile(wasm)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	in, err := mod.Instantiate()
	mod.Close() // the instance keeps what it needs
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); eng.Close() })
	return eng, in
}

func cgoCalls() uint64 {
	s := []metrics.Sample{{Name: "/cgo/go-to-c-calls:calls"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// perCall counts cgo calls per op of f over n ops (a count, not a time).
func perCall(t *testing.T, n int, f func(i int) error) float64 {
	t.Helper()
	before := cgoCalls()
	for i := 0; i < n; i++ {
		if err := f(i); err != nil {
			t.Fatal(err)
		}
	}
	return float64(cgoCalls()-before) / float64(n)
}

// The direct path makes exactly one cgo call per Wasm call on every call API, and one
// per batch of 256 calls; wasmtime-go's Func.Call, for comparison, makes several.
func TestCapiOneCgoCallPerWasmCall(t *testing.T) {
	const n = 2000
	wasm := guestBytes(t)
	eng, in := newCapiInstance(t, wasm)
	for _, api := range eng.Info().CallAPIs {
		noop, err := in.FuncV_V("no_op", api)
		if err != nil {
			t.Fatal(err)
		}
		add, err := in.FuncII_I("add_numbers", api)
		if err != nil {
			t.Fatal(err)
		}
		batch, err := in.(BatchCaller).BatchAdd(api)
		if err != nil {
			t.Fatal(err)
		}
		pNoop := perCall(t, n, func(int) error { return noop() })
		pAdd := perCall(t, n, func(i int) error {
			r, err := add(int32(i), 20)
			if err == nil && r != int32(i)+20 {
				err = mismatch("add_numbers", "add_numbers(%d, 20) returned %d", i, r)
			}
			return err
		})
		pBatch := perCall(t, n/10, func(i int) error {
			last, err := batch(256, int32(i), 20)
			if err == nil && last != int32(i)+255+20 {
				err = mismatch("add_numbers", "batch of 256 ended with %d", last)
			}
			return err
		})
		t.Logf("%s: cgo calls per op: noop %.3f, add %.3f, one batch of 256 adds %.3f", api, pNoop, pAdd, pBatch)
		for what, p := range map[string]float64{"noop": pNoop, "add": pAdd, "batch of 256": pBatch} {
			if p < 1 || p > 1.05 {
				t.Errorf("%s: %s made %.3f cgo calls per op, want 1", api, what, p)
			}
		}
	}

	// wasmtime-go on the same guest, for the record (its count is its own business).
	f, _ := Lookup("wasmtime-go")
	weng, err := f.New()
	if err != nil {
		t.Fatal(err)
	}
	defer weng.Close()
	wmod, err := weng.Compile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer wmod.Close()
	win, err := wmod.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer win.Close()
	wnoop, _ := win.FuncV_V("no_op", "call")
	wadd, _ := win.FuncII_I("add_numbers", "call")
	t.Logf("wasmtime-go call: cgo calls per op: noop %.3f, add %.3f",
		perCall(t, n, func(int) error { return wnoop() }),
		perCall(t, n, func(i int) error { _, err := wadd(int32(i), 20); return err }))
}

// No call API allocates on the Go heap per call. For unchecked_nocallback this is what
// the annotations buy: its buffer lives on the Go stack and is passed to C, which
// without `#cgo noescape` + `#cgo nocallback` on the wrapper moves it to the heap (one
// 64-byte allocation per call; either annotation alone does not keep it on the stack).
func TestCapiCallsDoNotAllocate(t *testing.T) {
	eng, in := newCapiInstance(t, guestBytes(t))
	for _, api := range eng.Info().CallAPIs {
		add, err := in.FuncII_I("add_numbers", api)
		if err != nil {
			t.Fatal(err)
		}
		var i int32
		allocs := testing.AllocsPerRun(1000, func() {
			if r, err := add(i, 20); err != nil || r != i+20 {
				t.Fatalf("%s: add_numbers(%d, 20) = %d, %v", api, i, r, err)
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %.2f Go heap allocations per add_numbers call, want 0", api, allocs)
		}
	}
}

// Every sum of a batch is checked in C: a wrong one is reported with its call, a trap
// with the engine's message, on every call API.
func TestCapiBatchReportsWrongSumsAndTraps(t *testing.T) {
	for _, tc := range []struct {
		name, wat, want string
		check           func(error) bool
	}{
		{"wrong sum", watMulAdd, "add_numbers(5, 20) returned 100, expected 25 (call 1 of 16 in one batch, checked in C)",
			func(err error) bool { var ke *checkError; return errors.As(err, &ke) && ke.export == "add_numbers" }},
		{"trap", watTrapAdd, "call 1 of 16 in one batch: ",
			func(err error) bool { var ce *callError; return errors.As(err, &ce) && ce.export == "add_numbers" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wasm, err := wat2wasm(tc.wat)
			if err != nil {
				t.Fatal(err)
			}
			eng, in := newCapiInstance(t, wasm)
			for _, api := range eng.Info().CallAPIs {
				batch, err := in.(BatchCaller).BatchAdd(api)
				if err != nil {
					t.Fatal(err)
				}
				_, err = batch(16, 5, 20)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !tc.check(err) {
					t.Errorf("%s: got %v, want an error containing %q", api, err, tc.want)
				}
				if tc.name == "trap" && !strings.Contains(err.Error(), "unreachable") {
					t.Errorf("%s: the trap message should be wasmtime's: %v", api, err)
				}
			}
		})
	}
}

// A guest that calls env.host_inc during a call through the nocallback API gets a trap
// with a message (on a callback the Go runtime panics across C frames); the other APIs
// call back into Go as usual.
func TestCapiNoCallbackGuard(t *testing.T) {
	wasm, err := wat2wasm(`(module
  (import "env" "host_inc" (func $h (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op") i32.const 1 call $h drop))`)
	if err != nil {
		t.Fatal(err)
	}
	eng, in := newCapiInstance(t, wasm)
	for _, api := range eng.Info().CallAPIs {
		noop, err := in.FuncV_V("no_op", api)
		if err != nil {
			t.Fatal(err)
		}
		err = noop()
		if api == capiNoCallbackAPI {
			if err == nil || !strings.Contains(err.Error(), "nocallback") {
				t.Errorf("%s: want a trap naming nocallback, got %v", api, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", api, err)
		}
	}
	// And the scenario that needs the callback says so for that API only.
	if _, err := in.FuncI_I("call_host", capiNoCallbackAPI); !errors.As(err, new(errAPINotApplicable)) {
		t.Errorf("call_host on %s: want an API not-applicable error, got %v", capiNoCallbackAPI, err)
	}
}
