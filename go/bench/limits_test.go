//go:build cgo

package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// add_numbers grows memory by 1000 pages (62.5 MiB): it traps when the growth is refused
// and adds when it is not, so a missing limit shows as a row instead of a failure.
const watGrowAdd = watPrelude + `(func (export "add_numbers") (param i32 i32) (result i32)
    (if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then unreachable))
    local.get 0 local.get 1 i32.add))`

// Engines with limits of their own hold a guest to MaxMemoryBytes (wasmer-go has none: the
// orchestrator's RLIMIT_DATA covers it).
func TestMemoryLimitStopsAGrowingGuest(t *testing.T) {
	defer func(old uint64) { MaxMemoryBytes = old }(MaxMemoryBytes)
	MaxMemoryBytes = 4 << 20
	list := loadList(t)
	scenarios, err := Select(list, "wasm", []string{"add", "noop"})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range Factories() {
		if f.Delegate || !(strings.HasPrefix(f.Name, "wazero") || f.Name == "wasmtime-go") {
			continue
		}
		checked++
		t.Run(f.Name, func(t *testing.T) {
			evs, out := runGuest(t, f, fromWat(watGrowAdd)(t), scenarios)
			var failures, noopRows int
			for _, e := range evs {
				switch {
				case e["event"] == "failure" && e["scenario"] == "add":
					failures++
				case e["event"] == "row" && e["scenario"] == "add":
					t.Errorf("the guest grew past the limit: %v", e)
				case e["event"] == "row" && e["scenario"] == "noop":
					noopRows++
				}
			}
			if failures == 0 || noopRows == 0 {
				t.Errorf("want add failed and noop measured; events:\n%s", out)
			}
		})
	}
	if checked == 0 {
		t.Skip("no engine with a memory limit in this build")
	}
}

// A guest that never returns.
const watLoop = `(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32) (loop br 0) i32.const 0))`

// Under the capability probes (InterruptEnv set), the engines that can stop a guest from
// inside do: wazero through the call's context, wasmtime-go and wasmtime-capi through epochs. The run goes
// on to the next scenario. Without it, nothing is configured (InterruptAfter is 0).
func TestInterruptStopsARunawayGuestUnderTheProbes(t *testing.T) {
	if InterruptAfter() != 0 {
		t.Fatalf("%s is set in the test's environment", InterruptEnv)
	}
	t.Setenv(InterruptEnv, "200")
	if InterruptAfter() != 200*time.Millisecond {
		t.Fatalf("InterruptAfter() = %v, want 200ms", InterruptAfter())
	}
	list := loadList(t)
	scenarios, err := Select(list, "wasm", []string{"add", "noop"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Factories() {
		if f.Name != "wazero:compiler" && f.Name != "wasmtime-go" && f.Name != "wasmtime-capi" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			var buf bytes.Buffer
			r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: fromWat(watLoop)(t)}
			done := make(chan struct{})
			go func() { r.RunWasm(eng, scenarios); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("the runaway guest was not interrupted")
			}
			var failures, noopStarts int
			for _, e := range parseEvents(t, buf.Bytes()) {
				switch {
				case e["event"] == "failure" && e["scenario"] == "add":
					failures++
				case e["event"] == "start" && e["scenario"] == "noop":
					noopStarts++
				}
			}
			if failures == 0 || noopStarts == 0 {
				t.Errorf("want add failed and the run on to noop; events:\n%s", buf.String())
			}
		})
	}
}
