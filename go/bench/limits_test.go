//go:build cgo

package bench

import (
	"bytes"
	"strings"
	"testing"
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
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			var buf bytes.Buffer
			r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: fromWat(watGrowAdd)(t)}
			r.RunWasm(eng, scenarios)
			var failures, noopRows int
			for _, e := range parseEvents(t, buf.Bytes()) {
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
				t.Errorf("want add failed and noop measured; events:\n%s", buf.String())
			}
		})
	}
	if checked == 0 {
		t.Skip("no engine with a memory limit in this build")
	}
}
