//go:build cgo

package bench

import (
	"bytes"
	"strings"
	"testing"
)

// Modules deliberately broken, written as WAT (turned into bytes by the cgo engine of
// this build, see wat_*_test.go) or as raw bytes.
const (
	watPrelude = `(module
  (import "env" "host_inc" (func $host_inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
`
	watMissingAdd  = watPrelude + `)`
	watWrongSigAdd = watPrelude + `(func (export "add_numbers") (param i32) (result i32) local.get 0))`
	watTrapAdd     = watPrelude + `(func (export "add_numbers") (param i32 i32) (result i32) unreachable))`
	watAddIsMemory = `(module (memory (export "add_numbers") 1) (func (export "no_op")))`
)

var malformed = []byte("\x00asm\x01\x00\x00\x00\x01\xff\xff garbage")

type badCase struct {
	name     string
	module   func(t *testing.T) []byte
	scenario string
	export   string
	contains string
}

func fromWat(src string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		b, err := wat2wasm(src)
		if err != nil {
			t.Fatalf("wat: %v", err)
		}
		return b
	}
}

var badCases = []badCase{
	{"missing export", fromWat(watMissingAdd), "add", "add_numbers", "export add_numbers not found"},
	{"wrong signature", fromWat(watWrongSigAdd), "add", "add_numbers", "export add_numbers has type (i32) -> i32, expected (i32, i32) -> i32"},
	{"not a function", fromWat(watAddIsMemory), "add", "add_numbers", "export add_numbers is a memory, expected a function"},
	{"trap", fromWat(watTrapAdd), "add", "add_numbers", "call to export add_numbers failed"},
	{"malformed module", func(*testing.T) []byte { return malformed }, "add", "", "compile guest"},
}

// Each bad module gives a failure event naming runtime, scenario and export, and the
// next scenario (noop) still runs.
func TestBadInput(t *testing.T) {
	list := loadList(t)
	scenarios, err := Select(list, "wasm", []string{"add", "noop"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Factories() {
		if f.Delegate {
			continue
		}
		for _, bc := range badCases {
			t.Run(f.Name+"/"+bc.name, func(t *testing.T) {
				evs, out := runGuest(t, f, bc.module(t), scenarios)
				var failures, noopRows int
				for _, e := range evs {
					switch {
					case e["event"] == "failure" && e["scenario"] == bc.scenario:
						failures++
						msg := e["error"].(string)
						t.Log(msg)
						prefix := f.Name + ": " + bc.scenario + ": "
						if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, bc.contains) {
							t.Errorf("error %q should start with %q and contain %q", msg, prefix, bc.contains)
						}
						if bc.export != "" && (e["export"] != bc.export || !strings.Contains(msg, bc.export)) {
							t.Errorf("failure should name export %s: %v", bc.export, e)
						}
						if e["status"] != "failed" {
							t.Errorf("status %v, want failed", e["status"])
						}
					case e["event"] == "row" && e["scenario"] == "noop":
						noopRows++
					case e["event"] == "row" && e["scenario"] == bc.scenario:
						t.Errorf("a broken module produced a row: %v", e)
					}
				}
				if failures == 0 {
					t.Errorf("no failure for %s; events:\n%s", bc.scenario, out)
				}
				if bc.name != "malformed module" && noopRows == 0 {
					t.Errorf("noop did not run after the broken scenario; events:\n%s", out)
				}
			})
		}
	}
}

// fakeSerializer "deserializes" by compiling: the good module for the first goodLoads
// loads, then one whose add_numbers multiplies. The deserialize scenario must catch the
// wrong module whether it comes before timing or inside a timed loop.
type fakeSerializer struct {
	Engine
	good, bad []byte
	goodLoads int
	loads     int
}

func (f *fakeSerializer) Serialize(Module) ([]byte, error) { return f.good, nil }

func (f *fakeSerializer) Deserialize([]byte) (Module, error) {
	f.loads++
	if f.loads <= f.goodLoads {
		return f.Engine.Compile(f.good)
	}
	return f.Engine.Compile(f.bad)
}

const watMulAdd = watPrelude + `(func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.mul))`

func TestDeserializeChecksTheModule(t *testing.T) {
	scenarios, err := Select(loadList(t), "wasm", []string{"deserialize"})
	if err != nil {
		t.Fatal(err)
	}
	good, bad := guestBytes(t), fromWat(watMulAdd)(t)
	for _, tc := range []struct {
		name      string
		goodLoads int
		wantRow   bool
	}{
		{"wrong before timing", 0, false},
		{"wrong in a timed loop", 1, false},
		{"right throughout", 1 << 30, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := Lookup("wazero:interpreter")
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			fake := &fakeSerializer{Engine: eng, good: good, bad: bad, goodLoads: tc.goodLoads}
			var buf bytes.Buffer
			r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: good}
			r.RunWasm(fake, scenarios)
			var rows, failures int
			for _, e := range parseEvents(t, buf.Bytes()) {
				switch e["event"] {
				case "row":
					rows++
				case "failure":
					failures++
					msg := e["error"].(string)
					want := "wazero:interpreter: deserialize: export add_numbers: add_numbers(40, 2) returned 80 on a deserialized module"
					if tc.wantRow || !strings.HasPrefix(msg, want) || e["export"] != "add_numbers" || e["status"] != "failed" {
						t.Errorf("unexpected failure %v", e)
					}
				}
			}
			if tc.wantRow && rows != 1 || !tc.wantRow && (rows != 0 || failures != 1) {
				t.Errorf("got %d rows and %d failures:\n%s", rows, failures, buf.String())
			}
			// Caught at its first load: up front (load 1) or in the first timed loop (load 2).
			if !tc.wantRow && fake.loads != tc.goodLoads+1 {
				t.Errorf("the wrong module was load %d, but %d loads ran", tc.goodLoads+1, fake.loads)
			}
		})
	}
}
