//go:build cgo

package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"interop-bench/go/internal/guest"
)

// The wasm2go worker is a separate binary per module (the translation is compiled in):
// these tests build it through the same path as the driver (translation and binary
// cached by the module's sha256, so a second test run only checks go's cache) and run
// it as a worker.

var w2gBuildMu sync.Mutex

func wasm2goWorker(t *testing.T, wasm []byte) Wasm2goWorker {
	t.Helper()
	w2gBuildMu.Lock() // one go build at a time: the machine is small
	defer w2gBuildMu.Unlock()
	w, err := buildWasm2go(wasm, os.Stderr)
	if err != nil {
		t.Fatalf("building the wasm2go worker: %v", err)
	}
	return w
}

func runWasm2go(t *testing.T, w Wasm2goWorker, wasm []byte, cfg Config, scenarios ...string) []event {
	t.Helper()
	list, err := guest.ScenariosFile()
	if err != nil {
		t.Fatal(err)
	}
	gp := filepath.Join(t.TempDir(), "guest.wasm")
	if err := os.WriteFile(gp, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--runtime", "wasm2go", "--guest", gp, "--scenarios-file", list,
		"--warmup-ms", fmt.Sprint(cfg.WarmupMs), "--target-sample-ms", fmt.Sprint(cfg.TargetSampleMs), "--samples", fmt.Sprint(cfg.Samples)}
	for _, s := range scenarios {
		args = append(args, "--scenario", s)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(w.Exe, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("the wasm2go worker failed: %v\n%s\n%s", err, out.String(), errb.String())
	}
	return parseEvents(t, out.Bytes())
}

func init() {
	notApplicable["wasm2go"] = map[string]string{"deserialize": "nothing to serialize", "instantiate_pre": "no import resolution",
		"batch_crossing": "plain Go"}
}

// Every scenario's own checks pass on the real guest, through the generated loops
// (direct) and the shared scenario code (func); compile is measured on its own below.
func TestWasm2goOnRealGuest(t *testing.T) {
	wasm := guestBytes(t)
	w := wasm2goWorker(t, wasm)
	var names []string
	all, err := Select(loadList(t), "wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []Scenario
	for _, sc := range all {
		if sc.Name != "compile" {
			names = append(names, sc.Name)
			scenarios = append(scenarios, sc)
		}
	}
	evs := runWasm2go(t, w, wasm, tiny, names...)
	checkRun(t, evs, scenarios, wasm2goInfo())
	// Both call APIs of the call-varying scenarios; the memory scenarios on both memory APIs.
	seen := map[string]bool{}
	for _, e := range evs {
		if e["event"] == "row" {
			seen[e["scenario"].(string)+"/"+e["api"].(string)] = true
		}
	}
	for _, k := range []string{"noop/direct", "noop/func", "add/direct", "add/func", "host_import/direct", "host_import/func", "string_roundtrip/view", "string_roundtrip/copy"} {
		if !seen[k] {
			t.Errorf("no row %s", k)
		}
	}
}

// compile = translate + go build of a program linking the translation, a sample an op;
// the program must compute add_numbers(40, 2) = 42; the row carries its sizes and peak memory.
func TestWasm2goCompile(t *testing.T) {
	wasm := guestBytes(t)
	w := wasm2goWorker(t, wasm)
	evs := runWasm2go(t, w, wasm, Config{Samples: 1, TargetSampleMs: 1}, "compile")
	var rows int
	for _, e := range evs {
		switch e["event"] {
		case "row":
			rows++
			m, _ := e["metrics"].(map[string]any)
			for _, k := range []string{"go_source_bytes", "binary_bytes", "peak_rss_bytes"} {
				if v, ok := m[k].(float64); !ok || v <= 0 {
					t.Errorf("compile row without %s: %v", k, e)
				}
			}
			if e["verified"] != true || e["iters_per_sample"] != 1.0 {
				t.Errorf("bad compile row: %v", e)
			}
		case "failure":
			t.Errorf("compile failed: %v", e)
		}
	}
	if rows != 1 {
		t.Errorf("%d compile rows, want 1", rows)
	}
}

// Bad modules: each gives a failure naming runtime, scenario and export, and noop still
// runs after it. A module wasm2go cannot decode is rejected by the translator, and the
// message says so.
func TestWasm2goBadInput(t *testing.T) {
	cases := []struct {
		name, wat, export, contains string
	}{
		{"missing export", watMissingAdd, "add_numbers", "export add_numbers not found"},
		{"wrong signature", watWrongSigAdd, "add_numbers", "export add_numbers has type (i32) -> i32, expected (i32, i32) -> i32"},
		{"not a function", watAddIsMemory, "add_numbers", "export add_numbers is a memory, expected a function"},
		{"trap", watTrapAdd, "add_numbers", "call to export add_numbers failed: wasm trap (a Go panic in the translated code, recovered): unreachable"},
	}
	for _, bc := range cases {
		t.Run(bc.name, func(t *testing.T) {
			wasm := fromWat(bc.wat)(t)
			w := wasm2goWorker(t, wasm)
			var failures, noopRows int
			for _, e := range runWasm2go(t, w, wasm, tiny, "add", "noop") {
				switch {
				case e["event"] == "failure" && e["scenario"] == "add":
					failures++
					msg := e["error"].(string)
					if !strings.HasPrefix(msg, "wasm2go: add: ") || !strings.Contains(msg, bc.contains) || e["export"] != bc.export || e["status"] != "failed" {
						t.Errorf("failure %v should start with %q, contain %q and name export %s", e, "wasm2go: add: ", bc.contains, bc.export)
					}
				case e["event"] == "row" && e["scenario"] == "noop":
					noopRows++
				case e["event"] == "row" && e["scenario"] == "add":
					t.Errorf("a broken module produced a row: %v", e)
				}
			}
			if failures == 0 || noopRows == 0 {
				t.Errorf("want add failures (got %d) and noop rows (got %d)", failures, noopRows)
			}
		})
	}
	t.Run("malformed module", func(t *testing.T) {
		_, err := buildWasm2go(malformed, os.Stderr)
		if err == nil || !strings.Contains(err.Error(), "wasm2go v0.4.22 rejected the module (it cannot be translated to Go)") {
			t.Errorf("want the translator's rejection, got %v", err)
		}
	})
	t.Run("imports this host does not provide", func(t *testing.T) {
		wasm := fromWat(`(module (import "wasi" "clock" (func (result i64))) (func (export "no_op")) (func (export "add_numbers") (param i32 i32) (result i32) local.get 0))`)(t)
		w := wasm2goWorker(t, wasm)
		var failures int
		for _, e := range runWasm2go(t, w, wasm, tiny, "add") {
			if e["event"] == "failure" {
				failures++
				if msg := e["error"].(string); !strings.Contains(msg, "the guest imports from module wasi; this host provides only env.host_inc") {
					t.Errorf("unexpected message %q", msg)
				}
			}
		}
		if failures == 0 {
			t.Error("a module with unknown imports ran")
		}
	})
}
