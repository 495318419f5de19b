package bench

import (
	"bytes"
	"encoding/json"
	"errors"
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

// runGuest runs scenarios of guest on a fresh engine of f with the tiny configuration and
// returns its events and the raw output (for failure messages).
func runGuest(t *testing.T, f Factory, guest []byte, scenarios []Scenario) ([]event, string) {
	t.Helper()
	eng, err := f.New()
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var buf bytes.Buffer
	r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: guest}
	r.RunWasm(eng, scenarios)
	return parseEvents(t, buf.Bytes()), buf.String()
}

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

// notApplicable lists, per runtime, the scenarios it must report as not applicable
// (status not_applicable) instead of rows, with a word its reason must contain. Every
// other scenario must give all its rows: a change either way fails the tests.
var notApplicable = map[string]map[string]string{
	"wasmtime-go": {"instantiate_pre": "wasmtime_linker_instantiate_pre", "batch_crossing": "no batch entry"},
	"wasmer-go":   {"instantiate_pre": "ImportObject", "batch_crossing": "no batch entry"},
	"wasmer-capi": {"instantiate_pre": "ImportObject"},
	"wazero:compiler": {"deserialize": "NewCompilationCacheWithDir", "instantiate_pre": "resolves every import",
		"batch_crossing": "pure Go"},
	"wazero:interpreter": {"deserialize": "NewCompilationCacheWithDir", "instantiate_pre": "resolves every import",
		"batch_crossing": "pure Go"},
}

// notApplicableAPI lists, per runtime and scenario, the API paths that must be reported
// not applicable (once, naming the API) while the scenario's other APIs give all rows.
var notApplicableAPI = map[string]map[string]map[string]string{
	"wasmtime-capi": {"host_import": {"unchecked_nocallback": "#cgo nocallback"}},
}

func checkRun(t *testing.T, evs []event, scenarios []Scenario, info RuntimeInfo) {
	t.Helper()
	rows := map[string]int{}
	na := map[string]int{}
	naAPI := map[string]int{} // scenario + "/" + api
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
			sc, msg := e["scenario"].(string), e["error"].(string)
			if api, _ := e["api"].(string); api != "" {
				if word, ok := notApplicableAPI[info.Runtime][sc][api]; ok && e["status"] == "not_applicable" {
					naAPI[sc+"/"+api]++
					if prefix := info.Runtime + ": " + sc + " (" + api + "): "; !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, word) {
						t.Errorf("%s: %s: the reason should start with %q and mention %q: %q", info.Runtime, sc, prefix, word, msg)
					}
					continue
				}
			}
			if word, ok := notApplicable[info.Runtime][sc]; ok && e["status"] == "not_applicable" {
				na[sc]++
				// The engine's own reason, right after runtime and scenario.
				if prefix := info.Runtime + ": " + sc + ": " + info.Engine; !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, word) {
					t.Errorf("%s: %s: the reason should start with %q and mention %q: %q", info.Runtime, sc, prefix, word, msg)
				}
				continue
			}
			t.Errorf("%s: unexpected failure (%v): %v", info.Runtime, e["status"], msg)
		}
	}
	for _, sc := range scenarios {
		if !starts[sc.Name] {
			t.Errorf("%s: no start event for %s", info.Runtime, sc.Name)
		}
		if _, ok := notApplicable[info.Runtime][sc.Name]; ok {
			if na[sc.Name] != 1 || rows[sc.Name] != 0 {
				t.Errorf("%s: %s: want one not_applicable event and no rows, got %d and %d", info.Runtime, sc.Name, na[sc.Name], rows[sc.Name])
			}
			continue
		}
		want := expectedRows(sc, info)
		for api := range notApplicableAPI[info.Runtime][sc.Name] {
			if naAPI[sc.Name+"/"+api] != 1 {
				t.Errorf("%s: %s: want one not_applicable event for api %s, got %d", info.Runtime, sc.Name, api, naAPI[sc.Name+"/"+api])
			}
			want -= len(sc.Cases())
		}
		if rows[sc.Name] != want {
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

// Where an engine serializes modules, a module loaded back from those bytes (not the
// wasm) instantiates and computes; where it does not, it says so as not applicable.
func TestDeserializedModuleRuns(t *testing.T) {
	wasm := guestBytes(t)
	for _, f := range Factories() {
		if f.Delegate {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			mod, err := eng.Compile(wasm)
			if err != nil {
				t.Fatal(err)
			}
			defer mod.Close()
			ser, ok := eng.(Serializer)
			if !ok {
				t.Fatalf("%s does not implement Serializer, not even to say why not", f.Name)
			}
			data, err := ser.Serialize(mod)
			if _, na := notApplicable[f.Name]["deserialize"]; na {
				if !errors.As(err, new(errNotApplicable)) {
					t.Fatalf("want a not-applicable error, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(data) == 0 || bytes.Equal(data, wasm) {
				t.Fatalf("serialized module of %d bytes: empty or the wasm itself", len(data))
			}
			m, err := ser.Deserialize(data)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for i := 0; i < 2; i++ { // twice: an instance must not consume the module
				if err := checkDeserialized(m, eng.Info().CallAPIs[0]); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// fakePre is a PreLinker for any engine, to exercise the instantiate_pre path, which no
// Go engine has yet: its "pre" is the module itself.
type fakePre struct {
	Engine
	pres, instances, closed int
}

func (f *fakePre) InstancePre(m Module) (InstancePre, error) {
	f.pres++
	return &countedPre{m: m, f: f}, nil
}

type countedPre struct {
	m Module
	f *fakePre
}

func (p *countedPre) Instantiate() (Instance, error) { p.f.instances++; return p.m.Instantiate() }
func (p *countedPre) Close()                         { p.f.closed++ }

func TestInstancePrePath(t *testing.T) {
	scenarios, err := Select(loadList(t), "wasm", []string{"instantiate_pre"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Lookup("wazero:interpreter")
	eng, err := f.New()
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	fake := &fakePre{Engine: eng}
	var buf bytes.Buffer
	r := &Runner{Emit: NewEmitter(&buf), Cfg: tiny, Guest: guestBytes(t)}
	r.RunWasm(fake, scenarios)
	var rows int
	for _, e := range parseEvents(t, buf.Bytes()) {
		switch e["event"] {
		case "row":
			rows++
		case "failure":
			t.Errorf("unexpected failure: %v", e["error"])
		}
	}
	if rows != 1 || fake.pres != 1 || fake.closed != 1 || fake.instances < 1+tiny.Samples {
		t.Errorf("want 1 row from 1 pre (closed once) instantiated at least %d times; got %d rows, %d pres, %d closed, %d instances",
			1+tiny.Samples, rows, fake.pres, fake.closed, fake.instances)
	}
}
