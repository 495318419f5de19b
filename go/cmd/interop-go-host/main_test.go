package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"interop-bench/go/internal/guest"
)

// The schema of docs/hosts.md, strictly: unknown fields are an error.
type runtimeEv struct {
	Event, Host, Runtime, Engine, Version, Notes string
	CallAPIs                                     []string `json:"call_apis"`
	MemoryAPIs                                   []string `json:"memory_apis"`
	FFI                                          *string  `json:"ffi"`
	DirectPath                                   *string  `json:"direct_path"`
}

// The contract fields of the runtime event: which FFI reaches the engine, and which
// runtime calls the same engine's C API directly.
var wantFFI = map[string][2]string{
	"native":             {"", ""},
	"wazero:compiler":    {"", ""},
	"wazero:interpreter": {"", ""},
	"wasmtime-go":        {"cgo", "wasmtime-capi"},
	"wasmtime-capi":      {"cgo", ""},
	"wasmer-go":          {"cgo", "wasmer-capi"},
	"wasmer-capi":        {"cgo", ""},
	"wasm2go":            {"", ""},
}

type rowEv struct {
	Event, Host, Runtime, API, Scenario string
	Params                              map[string]int64
	ItersPerSample                      int64     `json:"iters_per_sample"`
	SampleNsPerOp                       []float64 `json:"sample_ns_per_op"`
	Verified                            bool
	Metrics                             map[string]float64
	InputSHA256                         string `json:"input_sha256"` // optional: the bytes fed, for cross-host checks
	Stop                                string // what ended the sampling: precision, time_cap, sample_cap, fixed
	// with a precision target: the machine's speed before, between (first and last decile) and after the samples
	MachineRefNs []float64 `json:"machine_ref_ns"`
	// with a precision target: the reading after each sample; with --fast-state also the
	// process's fastest reading (absent for rows whose calls make work for the collector)
	SampleMachineNs []float64 `json:"sample_machine_ns"`
	MachineFastNs   *float64  `json:"machine_fast_ns"`
}

type failureEv struct {
	Event, Host, Runtime, Scenario, API, Export, Error, Status string
}

type startEv struct{ Event, Host, Runtime, Scenario string }

func strict(t *testing.T, line string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%q does not fit the schema: %v", line, err)
	}
}

// checkEvents parses every line into the schema and returns the rows and failures.
func checkEvents(t *testing.T, out string, runtime string) (rows []rowEv, failures []failureEv) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.Contains(lines[0], `"event":"runtime"`) {
		t.Fatalf("the first event must be runtime:\n%s", out)
	}
	for i, line := range lines {
		var probe struct{ Event string }
		if err := json.Unmarshal([]byte(line), &probe); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, line)
		}
		switch probe.Event {
		case "runtime":
			var e runtimeEv
			strict(t, line, &e)
			if i != 0 || e.Host != "go" || e.Runtime != runtime || len(e.CallAPIs) == 0 {
				t.Errorf("bad runtime event %q", line)
			}
			if e.FFI == nil || e.DirectPath == nil {
				t.Errorf("runtime event without ffi or direct_path: %q", line)
			} else if want, ok := wantFFI[runtime]; !ok || *e.FFI != want[0] || *e.DirectPath != want[1] {
				t.Errorf("runtime %s: ffi %q, direct_path %q; want %q", runtime, *e.FFI, *e.DirectPath, want)
			}
		case "start":
			var e startEv
			strict(t, line, &e)
		case "row":
			var e rowEv
			strict(t, line, &e)
			if !e.Verified || e.Host != "go" || e.Runtime != runtime || e.ItersPerSample < 1 || !sampleCountOK(e) {
				t.Errorf("bad row %q", line)
			}
			for _, m := range []string{"allocs_per_op", "bytes_per_op", "cgo_calls_per_op", "gc_cycles_per_op", "gc_cpu_ns_per_op", "cpu_ns_per_op"} {
				v, ok := e.Metrics[m]
				if m == "cpu_ns_per_op" && strings.HasSuffix(e.Scenario, "_gc_load") {
					// the background load's CPU is not the calls': left out on purpose
					if ok {
						t.Errorf("a _gc_load row with the load's CPU time: %q", line)
					}
					continue
				}
				if !ok || v < 0 {
					t.Errorf("row without a non-negative %s: %q", m, line)
				}
			}
			rows = append(rows, e)
		case "failure":
			var e failureEv
			strict(t, line, &e)
			failures = append(failures, e)
		default:
			t.Errorf("unknown event %q", line)
		}
	}
	return rows, failures
}

func paths(t *testing.T) (string, string) {
	t.Helper()
	g, err := guest.Path()
	if err != nil {
		t.Fatal(err)
	}
	s, err := guest.ScenariosFile()
	if err != nil {
		t.Fatal(err)
	}
	return g, s
}

func tinyArgs(runtime, g, s string, scenarios ...string) []string {
	args := []string{"--runtime", runtime, "--guest", g, "--scenarios-file", s,
		"--warmup-ms", "0", "--target-sample-ms", "0.05", "--samples", "2"}
	for _, sc := range scenarios {
		args = append(args, "--scenario", sc)
	}
	return args
}

func TestDriverEmitsTheSchema(t *testing.T) {
	g, s := paths(t)
	cases := map[string][]string{
		"native":             nil,
		"wazero:compiler":    {"noop", "add", "string_roundtrip", "host_import"},
		"wazero:interpreter": {"noop", "sum_array"},
		"wasmtime-go":        {"noop", "add", "copy_in", "first_call"},
		"wasmtime-capi":      {"noop", "add", "copy_out", "host_import", "batch_crossing", "instantiate_pre"},
	}
	for rt, scen := range cases {
		t.Run(rt, func(t *testing.T) {
			if strings.HasPrefix(rt, "wasmtime-") {
				if _, ok := lookupRuntime(rt); !ok {
					t.Skip("wasmtime-go is not in this build")
				}
			}
			var out, errOut bytes.Buffer
			if code := run(tinyArgs(rt, g, s, scen...), &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			rows, failures := checkEvents(t, out.String(), rt)
			for _, f := range failures {
				// One API path that cannot express a scenario says so, naming the API.
				if rt == "wasmtime-capi" && f.Scenario == "host_import" && f.API == "unchecked_nocallback" && f.Status == "not_applicable" {
					continue
				}
				t.Errorf("failure: %s", f.Error)
			}
			if len(rows) == 0 {
				t.Fatal("no rows")
			}
		})
	}
}

func TestDriverListsRuntimes(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"--runtime", "list"}, &out, &out); code != 0 {
		t.Fatal(out.String())
	}
	for _, want := range []string{"native", "wazero:compiler", "wazero:interpreter", "wasmer-go"} {
		if !strings.Contains(out.String(), `"runtime":"`+want+`"`) {
			t.Errorf("--runtime list lacks %s:\n%s", want, out.String())
		}
	}
}

func TestDriverBadInput(t *testing.T) {
	_, s := paths(t)
	var out, errOut bytes.Buffer
	if code := run([]string{"--runtime", "nope", "--scenarios-file", s}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "unknown runtime") {
		t.Errorf("unknown runtime: exit %d, %q", code, errOut.String())
	}
	// A guest that does not exist: every scenario fails, naming runtime and scenario.
	out.Reset()
	missing := filepath.Join(t.TempDir(), "nope.wasm")
	if code := run(tinyArgs("wazero:compiler", missing, s, "noop", "add"), &out, &errOut); code != 0 {
		t.Fatalf("exit %d", code)
	}
	_, failures := checkEvents(t, out.String(), "wazero:compiler")
	if len(failures) != 2 || !strings.HasPrefix(failures[0].Error, "wazero:compiler: noop: guest module") {
		t.Errorf("want two failures naming runtime and scenario, got %+v", failures)
	}
	// A malformed guest.
	bad := filepath.Join(t.TempDir(), "bad.wasm")
	os.WriteFile(bad, []byte("\x00asm\x01\x00\x00\x00junk"), 0o644)
	out.Reset()
	run(tinyArgs("wazero:interpreter", bad, s, "add"), &out, &errOut)
	_, failures = checkEvents(t, out.String(), "wazero:interpreter")
	if len(failures) != 1 || !strings.Contains(failures[0].Error, "wazero:interpreter: add: compile guest") {
		t.Errorf("want a compile failure, got %+v", failures)
	}
}

// wasmer-go runs in a separately built binary; the default one builds and execs it.
// This builds both (cached after the first time) and runs every wasm scenario on
// wasmer-go with tiny counts, so plain `go test ./...` checks the wasmer-go adapter too.
func TestDriverWasmerThroughDelegate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	g, s := paths(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "interop-go-host")
	build := exec.Command("go", "build", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(exe, tinyArgs("wasmer-go", g, s)...) // every wasm scenario
	cmd.Dir = dir                                            // any working directory works: all paths are absolute
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	rows, failures := checkEvents(t, stdout.String(), "wasmer-go")
	for _, f := range failures {
		// wasmer-go has no pre-linked instantiation; it must say so, with the reason.
		if f.Scenario == "instantiate_pre" && f.Status == "not_applicable" && strings.Contains(f.Error, "ImportObject") {
			continue
		}
		// Nor a batch entry (many Wasm calls inside one cgo call).
		if f.Scenario == "batch_crossing" && f.Status == "not_applicable" && strings.Contains(f.Error, "no batch entry") {
			continue
		}
		t.Errorf("wasmer-go failure (%s): %s", f.Status, f.Error)
	}
	if len(rows) == 0 {
		t.Fatalf("no wasmer-go rows:\n%s\n%s", stdout.String(), stderr.String())
	}
	var deserialize int
	for _, r := range rows {
		if r.Scenario == "deserialize" {
			deserialize++
		}
	}
	if deserialize != 1 {
		t.Errorf("want one wasmer-go deserialize row, got %d", deserialize)
	}
}

// wasm2go runs in a binary built per guest module (the translation linked in); the
// default driver builds it (cached by the module's sha256) and execs it. A malformed
// guest cannot be translated: every scenario fails with the translator's rejection.
func TestDriverWasm2goThroughDelegate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	g, s := paths(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "interop-go-host")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	drive := func(guest string, scenarios ...string) (string, string) {
		cmd := exec.Command(exe, tinyArgs("wasm2go", guest, s, scenarios...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	out, errOut := drive(g, "noop", "string_roundtrip")
	rows, failures := checkEvents(t, out, "wasm2go")
	if len(failures) != 0 || len(rows) != 2+2*8 {
		t.Errorf("want 18 rows and no failure, got %d rows, failures %+v\n%s", len(rows), failures, errOut)
	}
	bad := filepath.Join(dir, "bad.wasm")
	os.WriteFile(bad, []byte("\x00asm\x01\x00\x00\x00junk"), 0o644)
	out, _ = drive(bad, "add")
	_, failures = checkEvents(t, out, "wasm2go")
	if len(failures) != 1 || !strings.HasPrefix(failures[0].Error, "wasm2go: add: wasm2go v0.4.22 rejected the module (it cannot be translated to Go)") {
		t.Errorf("want the translator's rejection, got %+v", failures)
	}
}

// sampleCountOK: tinyArgs asks for 2 samples, exactly 2 when fixed, at least 2 with a
// precision target (how many more depends on this machine's noise).
func sampleCountOK(e rowEv) bool {
	if e.Stop == "precision" || e.Stop == "time_cap" || e.Stop == "sample_cap" || e.Stop == "projected" {
		return len(e.SampleNsPerOp) >= 2
	}
	return len(e.SampleNsPerOp) == 2
}

func TestDriverSamplesToAPrecisionTargetAndRefusesBadTargets(t *testing.T) {
	g, s := paths(t)
	var out, errOut bytes.Buffer
	args := append(tinyArgs("native", g, s, "native_call"), "--precision-pct", "50", "--max-row-ms", "200", "--fast-state")
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	rows, _ := checkEvents(t, out.String(), "native")
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		if r.Stop != "precision" && r.Stop != "time_cap" && r.Stop != "projected" {
			t.Errorf("%s: stop %q with a precision target", r.Scenario, r.Stop)
		}
		if len(r.MachineRefNs) != 4 {
			t.Errorf("%s: machine_ref_ns %v, want before, two deciles between, after", r.Scenario, r.MachineRefNs)
		}
		// native_call allocates nothing: its samples can be set aside by machine state.
		if len(r.SampleMachineNs) != len(r.SampleNsPerOp) || r.MachineFastNs == nil || !(*r.MachineFastNs > 0) || *r.MachineFastNs > slices.Min(r.SampleMachineNs) {
			t.Errorf("%s: sample_machine_ns %v (for %d samples), machine_fast_ns %v: want one reading a sample and the fastest at most the lowest",
				r.Scenario, r.SampleMachineNs, len(r.SampleNsPerOp), r.MachineFastNs)
		}
	}
	// Without a target every row says it took a fixed number of samples.
	out.Reset()
	if code := run(tinyArgs("native", g, s, "native_call"), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, r := range func() []rowEv { r, _ := checkEvents(t, out.String(), "native"); return r }() {
		if r.Stop != "fixed" {
			t.Errorf("%s: stop %q without a target", r.Scenario, r.Stop)
		}
	}
	for _, bad := range [][]string{{"--precision-pct", "-1"}, {"--precision-pct", "NaN"}, {"--precision-pct", "5"}, {"--precision-pct", "5", "--max-row-ms", "1e12"},
		{"--processes", "0"}, {"--processes", "9"}, {"--processes", "2", "--process", "2"}, {"--process", "-1"}} {
		errOut.Reset()
		if code := run(append(tinyArgs("native", g, s), bad...), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "out of range") {
			t.Errorf("%v: exit %d: %s", bad, code, errOut.String())
		}
	}
}
