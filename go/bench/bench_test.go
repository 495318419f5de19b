package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"interop-bench/go/internal/guest"
)

// tiny keeps every test fast: no warm-up, two samples of ~50 µs. No test asserts a time.
var tiny = Config{WarmupMs: 0, TargetSampleMs: 0.05, Samples: 2}

func loadList(t *testing.T) *ScenarioFile {
	t.Helper()
	p, err := guest.ScenariosFile()
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadScenarios(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func guestBytes(t testing.TB) []byte {
	t.Helper()
	b, err := guest.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type event map[string]any

func parseEvents(t *testing.T, out []byte) []event {
	t.Helper()
	var evs []event
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// expectedRows is how many rows a scenario yields on a runtime.
func expectedRows(sc Scenario, info RuntimeInfo) int {
	n := len(sc.Cases())
	switch sc.Varies {
	case "call":
		n *= len(info.CallAPIs)
	case "memory":
		n *= len(info.MemoryAPIs)
	}
	return n
}

func checkRun(t *testing.T, evs []event, scenarios []Scenario, info RuntimeInfo) {
	t.Helper()
	rows := map[string]int{}
	starts := map[string]bool{}
	for _, e := range evs {
		switch e["event"] {
		case "start":
			starts[e["scenario"].(string)] = true
		case "row":
			if e["verified"] != true {
				t.Errorf("row not verified: %v", e)
			}
			if e["host"] != "go" || e["runtime"] != info.Runtime {
				t.Errorf("row names the wrong host or runtime: %v", e)
			}
			if s, ok := e["sample_ns_per_op"].([]any); !ok || len(s) != tiny.Samples {
				t.Errorf("row has %v samples, want %d: %v", e["sample_ns_per_op"], tiny.Samples, e)
			}
			rows[e["scenario"].(string)]++
		case "failure":
			t.Errorf("%s: unexpected failure: %v", info.Runtime, e["error"])
		}
	}
	for _, sc := range scenarios {
		if !starts[sc.Name] {
			t.Errorf("%s: no start event for %s", info.Runtime, sc.Name)
		}
		if want := expectedRows(sc, info); rows[sc.Name] != want {
			t.Errorf("%s: %s has %d rows, want %d", info.Runtime, sc.Name, rows[sc.Name], want)
		}
	}
}

// Every adapter passes every wasm scenario's own checks on the real guest.
func TestAdaptersOnRealGuest(t *testing.T) {
	list := loadList(t)
	wasm := guestBytes(t)
	scenarios, err := Select(list, "wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Factories() {
		if f.Delegate {
			continue // tested by the driver's test, through the other binary
		}
		t.Run(f.Name, func(t *testing.T) {
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			var buf bytes.Buffer
			r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: wasm}
			r.RunWasm(eng, scenarios)
			checkRun(t, parseEvents(t, buf.Bytes()), scenarios, eng.Info())
		})
	}
}

func TestNativeBaselines(t *testing.T) {
	scenarios, err := Select(loadList(t), "native", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny}
	r.RunNative(scenarios)
	checkRun(t, parseEvents(t, buf.Bytes()), scenarios, NativeInfo())
}

func TestSigString(t *testing.T) {
	if got := SigII_I.String(); got != "(i32, i32) -> i32" {
		t.Errorf("got %q", got)
	}
	if got := SigV_V.String(); got != "() -> ()" {
		t.Errorf("got %q", got)
	}
}

func TestSelectRejectsUnknownScenario(t *testing.T) {
	if _, err := Select(loadList(t), "wasm", []string{"noop", "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("want an error naming nope, got %v", err)
	}
	got, err := Select(loadList(t), "wasm", []string{"noop", "add"})
	if err != nil || len(got) != 2 {
		t.Fatalf("want noop and add, got %v, %v", got, err)
	}
}

func TestSeedString(t *testing.T) {
	if len(SeedString) != 51 || string(TextBytes(51)) != SeedString {
		t.Fatal("the 51-byte case must be the seed's string")
	}
}

// A scenario this host has no code for is reported as not applicable, never skipped.
func TestUnknownScenarioIsNotApplicable(t *testing.T) {
	path := t.TempDir() + "/s.toml"
	src := "schema = 1\n[[scenario]]\nname = \"teleport\"\ntarget = \"wasm\"\nvaries = \"none\"\nexports = []\nabout = \"x\"\n" +
		"[[scenario]]\nname = \"noop\"\ntarget = \"wasm\"\nvaries = \"call\"\nexports = [\"no_op\"]\nabout = \"x\"\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadScenarios(path)
	if err != nil {
		t.Fatal(err)
	}
	f2 := Factories()
	var eng Engine
	for _, fa := range f2 {
		if fa.Name == "wazero:interpreter" {
			eng, _ = fa.New()
		}
	}
	defer eng.Close()
	var buf bytes.Buffer
	r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: guestBytes(t)}
	r.RunWasm(eng, f.Scenarios)
	out := buf.String()
	if !strings.Contains(out, `"scenario":"teleport","error":"wazero:interpreter: teleport: the Go host has no implementation of scenario teleport","status":"not_applicable"`) {
		t.Errorf("want a not_applicable failure for teleport:\n%s", out)
	}
	if !strings.Contains(out, `"event":"row","host":"go","runtime":"wazero:interpreter","api":"call","scenario":"noop"`) {
		t.Errorf("noop should still run:\n%s", out)
	}
}

// liveModules wraps an engine and counts its open modules, to see what was open at each
// Compile.
type liveModules struct {
	Engine
	open          int
	compiles      int
	compiledAfter []int // open modules at each Compile
}

func (l *liveModules) Compile(wasm []byte) (Module, error) {
	l.compiles++
	l.compiledAfter = append(l.compiledAfter, l.open)
	m, err := l.Engine.Compile(wasm)
	if err != nil {
		return nil, err
	}
	l.open++
	return &countedModule{Module: m, l: l}, nil
}

type countedModule struct {
	Module
	l *liveModules
}

func (m *countedModule) Close() {
	m.l.open--
	m.Module.Close()
}

// The compile scenario must not run while the shared module of the other scenarios is
// open: wazero keeps an open module's compiled code in memory, keyed by the bytes, and
// CompileModule of the same bytes then only decodes, validates and looks it up, a
// fraction of a real compile. Every Compile, the shared ones included, must find no
// module open.
func TestCompileRunsWithNoModuleOpen(t *testing.T) {
	list := loadList(t)
	scenarios, err := Select(list, "wasm", []string{"noop", "compile", "instantiate"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Lookup("wazero:compiler")
	eng, err := f.New()
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	spy := &liveModules{Engine: eng}
	var buf bytes.Buffer
	r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: guestBytes(t)}
	r.RunWasm(spy, scenarios)
	checkRun(t, parseEvents(t, buf.Bytes()), scenarios, eng.Info())
	if spy.compiles < 3 {
		t.Fatalf("only %d compiles: the compile scenario did not run", spy.compiles)
	}
	for i, n := range spy.compiledAfter {
		if n != 0 {
			t.Fatalf("compile %d of %d ran with %d module(s) of the guest open", i+1, spy.compiles, n)
		}
	}
	if spy.open != 0 {
		t.Errorf("%d module(s) left open", spy.open)
	}
}
