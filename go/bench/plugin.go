package bench

// A user's scenario file (docs/scenario-files.md) on one engine: the generic path, the
// Go twin of crates/host/src/plugin.rs. The orchestrator (interop-bench run
// --scenario-file) validates the file first and names the line and key of any mistake;
// this reader decodes the same format, rejects keys it does not know, and resolves the
// inputs the same way (generated text is TextBytes, the canonical text of both hosts).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// PluginImport is a host function the module imports, with a simple behaviour.
type PluginImport struct {
	Module    string   `toml:"module"`
	Name      string   `toml:"name"`
	Params    []string `toml:"params"`
	Results   []string `toml:"results"`
	Behaviour string   `toml:"behaviour"` // "constant" (returns Value) or "count" (returns the call count)
	Value     int64    `toml:"value"`
}

// PluginScenario is one [[scenario]] of the file.
type PluginScenario struct {
	Name    string   `toml:"name"`
	Measure string   `toml:"measure"` // "call" (default) or "instantiate"
	Export  string   `toml:"export"`
	Params  []string `toml:"params"`
	Results []string `toml:"results"`
	Args    []any    `toml:"args"`
	Input   *struct {
		Text     *string `toml:"text"`
		File     *string `toml:"file"`
		Generate *string `toml:"generate"`
		Sizes    []int64 `toml:"sizes"`
	} `toml:"input"`
	InputAt    any    `toml:"input_at"` // "allocate" or an offset
	Output     string `toml:"output"`   // value (default), packed_ptr_len, out_buffer, in_place
	OutLen     *int64 `toml:"out_len"`
	FreeOutput bool   `toml:"free_output"`
	Check      any    `toml:"check"` // "unchecked", "completes", {value = N} or {sha256 = ...}
}

// PluginFile is a user's scenario file.
type PluginFile struct {
	Schema    int  `toml:"schema"`
	WASI      bool `toml:"wasi"`
	Allocator *struct {
		Allocate   string `toml:"allocate"`
		Deallocate string `toml:"deallocate"`
	} `toml:"allocator"`
	Imports   []PluginImport   `toml:"import"`
	Scenarios []PluginScenario `toml:"scenario"`

	dir string
}

// pluginCase is one case: its parameter (bytes, for generated inputs) and its input.
type pluginCase struct {
	params map[string]int64
	input  []byte
	sha256 string // the expected output digest, "" when not checked that way
}

// LoadPlugin reads a scenario file.
func LoadPlugin(path string) (*PluginFile, error) {
	var f PluginFile
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("scenario file %s: %w", path, err)
	}
	for _, k := range md.Undecoded() {
		// check is decoded as a dynamic value (a word or a table): its keys count as
		// undecoded; the orchestrator has checked them.
		if !strings.HasPrefix(k.String(), "scenario.check.") {
			return nil, fmt.Errorf("scenario file %s: unknown key %s", path, k)
		}
	}
	if f.Schema != 1 {
		return nil, fmt.Errorf("scenario file %s: schema %d, this host reads schema 1", path, f.Schema)
	}
	f.dir = filepath.Dir(path)
	return &f, nil
}

// Names lists the file's scenarios as scenario-list entries (for selection and failures).
func (f *PluginFile) Names(only []string) ([]Scenario, error) {
	var out []Scenario
	seen := map[string]bool{}
	for _, s := range f.Scenarios {
		seen[s.Name] = true
		if len(only) == 0 || contains(only, s.Name) {
			out = append(out, Scenario{Name: s.Name, Target: "wasm", Varies: "call"})
		}
	}
	for _, n := range only {
		if !seen[n] {
			return nil, fmt.Errorf("unknown scenario %s (not in the scenario file)", n)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *PluginScenario) verified() bool { return s.Check != "unchecked" }

func (f *PluginFile) cases(s *PluginScenario) ([]pluginCase, error) {
	var shas []string
	if m, ok := s.Check.(map[string]any); ok {
		switch d := m["sha256"].(type) {
		case string:
			shas = []string{strings.ToLower(d)}
		case []any:
			for _, x := range d {
				str, _ := x.(string)
				shas = append(shas, strings.ToLower(str))
			}
		}
	}
	if s.Measure == "instantiate" && f.WASI {
		// What linking WASI adds: wasi=1 with the engine's own WASI, wasi=0 with the
		// module's WASI imports stubbed by plain host functions (never called).
		return []pluginCase{{params: map[string]int64{wasiParam: 1}}, {params: map[string]int64{wasiParam: 0}}}, nil
	}
	var cases []pluginCase
	switch in := s.Input; {
	case in == nil:
		cases = []pluginCase{{params: map[string]int64{}}}
	case in.Text != nil:
		cases = []pluginCase{{params: map[string]int64{}, input: []byte(*in.Text)}}
	case in.File != nil:
		b, err := os.ReadFile(filepath.Join(f.dir, *in.File))
		if err != nil {
			return nil, fmt.Errorf("input file: %w", err)
		}
		cases = []pluginCase{{params: map[string]int64{}, input: b}}
	case in.Generate != nil:
		for _, n := range in.Sizes {
			cases = append(cases, pluginCase{params: map[string]int64{"bytes": n}, input: TextBytes(int(n))})
		}
	}
	if shas != nil {
		if len(shas) != len(cases) {
			return nil, fmt.Errorf("%d sha256 digests for %d inputs", len(shas), len(cases))
		}
		for i := range cases {
			cases[i].sha256 = shas[i]
		}
	}
	return cases, nil
}

// wasiParam is the parameter of an instantiate scenario in a file with wasi = true: 1, the
// engine's own WASI linked; 0, the module's wasi_snapshot_preview1 imports linked as plain
// host functions returning 0 (never called), so the rows differ by what WASI adds.
const wasiParam = "wasi"

// wasiModule is WASI preview 1's import module.
const wasiModule = "wasi_snapshot_preview1"

// wasiStubs lists the module's wasi_snapshot_preview1 function imports as host functions
// returning 0, the baseline of the wasi=0 rows. The module is only decoded (wazero's
// interpreter compiles it), whatever engine runs the rows.
func wasiStubs(wasm []byte) ([]PluginImport, error) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("read the module's imports: %w", err)
	}
	types := func(imp string, ts []api.ValueType) ([]string, error) {
		out := make([]string, len(ts))
		for i, t := range ts {
			switch t {
			case api.ValueTypeI32:
				out[i] = "i32"
			case api.ValueTypeI64:
				out[i] = "i64"
			default:
				return nil, fmt.Errorf("the WASI import %s cannot be stubbed: a %s parameter or result", imp, api.ValueTypeName(t))
			}
		}
		return out, nil
	}
	var stubs []PluginImport
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		if mod != wasiModule {
			continue
		}
		params, err := types(mod+"."+name, d.ParamTypes())
		if err != nil {
			return nil, err
		}
		results, err := types(mod+"."+name, d.ResultTypes())
		if err != nil {
			return nil, err
		}
		if len(results) > 1 {
			return nil, fmt.Errorf("the WASI import %s.%s cannot be stubbed: %d results", mod, name, len(results))
		}
		stubs = append(stubs, PluginImport{Module: mod, Name: name, Params: params, Results: results, Behaviour: "constant"})
	}
	return stubs, nil
}

// relink links a scenario file's host functions (and WASI) on eng, or says why not.
func relink(eng Engine, imports []PluginImport, wasi bool) error {
	if rl, ok := eng.(Relinker); ok {
		return rl.Relink(imports, wasi)
	} else if wasi {
		return errNotApplicable{"no WASI implementation linked in this adapter"}
	}
	return errNotApplicable{"this adapter links only the built-in guest's env.host_inc, not a scenario file's host functions"}
}

// Relinker is the capability of linking a scenario file's host functions (and, with
// wasi, the engine's own WASI with nothing granted) instead of env.host_inc. An engine
// without it reports the file's scenarios as not applicable.
type Relinker interface {
	Relink(imports []PluginImport, wasi bool) error
}

// hostFunc is an import's behaviour: a constant, or the number of calls so far.
func hostFunc(imp PluginImport) func() int64 {
	if imp.Behaviour == "count" {
		var n atomic.Int64
		return func() int64 { return n.Add(1) }
	}
	v := imp.Value
	return func() int64 { return v }
}

// genericCall binds an export of one of the adapters' signatures to one call shape.
func genericCall(in Instance, name, api string, params, results []string) (func(a *[4]int32) (int64, error), error) {
	sig := strings.Join(params, ",") + "->" + strings.Join(results, ",")
	switch sig {
	case "->":
		f, err := in.FuncV_V(name, api)
		return func(*[4]int32) (int64, error) { return 0, f() }, err
	case "i32->i32":
		f, err := in.FuncI_I(name, api)
		return func(a *[4]int32) (int64, error) { r, err := f(a[0]); return int64(r), err }, err
	case "i32,i32->i32":
		f, err := in.FuncII_I(name, api)
		return func(a *[4]int32) (int64, error) { r, err := f(a[0], a[1]); return int64(r), err }, err
	case "i32,i32->":
		f, err := in.FuncII_V(name, api)
		return func(a *[4]int32) (int64, error) { return 0, f(a[0], a[1]) }, err
	case "i32,i32,i32,i32->":
		f, err := in.FuncIIII_V(name, api)
		return func(a *[4]int32) (int64, error) { return 0, f(a[0], a[1], a[2], a[3]) }, err
	case "i32,i32->i64":
		f, err := in.FuncII_L(name, api)
		return func(a *[4]int32) (int64, error) { return f(a[0], a[1]) }, err
	}
	return nil, fmt.Errorf("signature (%s) -> (%s) is not one the adapters call", strings.Join(params, ", "), strings.Join(results, ", "))
}

// RunPlugin runs the selected scenarios of a scenario file on one engine; the runtime
// event has been emitted. newEngine makes a second engine of the same runtime for the
// wasi=0 baseline of instantiate rows (nil: those rows fail).
func (r *Runner) RunPlugin(eng Engine, newEngine func() (Engine, error), f *PluginFile, selected []Scenario) {
	info := eng.Info()
	rt := info.Runtime
	var linkErr error
	if len(f.Imports) > 0 || f.WASI {
		linkErr = relink(eng, f.Imports, f.WASI)
	}
	var mod Module
	var modErr error
	if linkErr == nil {
		mod, modErr = eng.Compile(r.Guest)
		if modErr != nil {
			modErr = fmt.Errorf("compile the module: %w", modErr)
		} else {
			defer mod.Close()
		}
	}
	byName := map[string]*PluginScenario{}
	for i := range f.Scenarios {
		byName[f.Scenarios[i].Name] = &f.Scenarios[i]
	}
	// The wasi=0 baseline: an engine of its own with the file's imports and the module's
	// WASI imports as plain host functions.
	var stubMod Module
	var stubErr error
	needStub := false
	for _, sel := range selected {
		needStub = needStub || (f.WASI && byName[sel.Name].Measure == "instantiate")
	}
	if needStub && linkErr == nil && modErr == nil {
		stubMod, stubErr = stubbedModule(newEngine, r.Guest, f.Imports)
		if stubErr == nil {
			defer stubMod.Close()
		}
	}
	linked := "the built-in env.host_inc"
	switch {
	case len(f.Imports) > 0 && f.WASI:
		linked = "the scenario file's host functions and its own WASI (wasi_snapshot_preview1)"
	case len(f.Imports) > 0:
		linked = "the scenario file's host functions"
	case f.WASI:
		linked = "its own WASI (wasi_snapshot_preview1)"
	}
	for _, sel := range selected {
		s := byName[sel.Name]
		r.Emit.Start(rt, s.Name)
		if linkErr != nil {
			r.failure(rt, sel, "", linkErr)
			continue
		}
		if modErr != nil {
			r.failure(rt, sel, "", modErr)
			continue
		}
		cases, err := f.cases(s)
		if err != nil {
			r.failure(rt, sel, "", err)
			continue
		}
		apis := info.CallAPIs
		if s.Measure == "instantiate" {
			apis = apis[:1]
		}
	cases:
		for _, pc := range cases {
			for _, api := range apis {
				m, what := mod, linked
				if w, ok := pc.params[wasiParam]; ok && w == 0 {
					m, what = stubMod, "the scenario file's host functions and the module's WASI imports as plain host functions"
				}
				var c Case
				var cleanup func()
				var err error
				if m == nil {
					err = fmt.Errorf("linking the module's WASI imports as plain host functions (the wasi=0 baseline): %w", stubErr)
					if IsNotApplicable(stubErr) {
						err = stubErr
					}
				} else {
					c, cleanup, err = pluginCaseOf(m, f, s, pc, api, rt+" could not instantiate the module with "+what+" linked")
				}
				if err == nil {
					var res Result
					res, err = measureSafely(c, r.Cfg.forRow(api, s.Name, pc.params))
					cleanup()
					if err == nil {
						if res.Skipped {
							continue
						}
						digest := ""
						if len(pc.input) > 0 {
							digest = sha256Hex(pc.input)
						}
						if res.Counted != nil {
							r.Emit.Emit(CountEvent{Event: "count", Host: Host, Runtime: rt, API: api, Scenario: s.Name,
								Params: pc.params, N1: res.Counted.N1, N2: res.Counted.N2,
								InstructionsPerOp: res.Counted.PerOp, Verified: s.verified()})
							continue
						}
						r.Emit.Emit(RowEvent{
							Event: "row", Host: Host, Runtime: rt, API: api, Scenario: s.Name,
							Params: pc.params, ItersPerSample: res.Iters, SampleNsPerOp: res.NsPerOp,
							Verified: s.verified(), Metrics: res.Metrics, InputSHA256: digest, Stop: res.Stop,
							MachineRefNs:    res.MachineRefNs,
							SampleMachineNs: res.SampleMachineNs,
							MachineFastNs:   res.MachineFastNs,
							Remeasured:      res.Remeasured,
						})
						continue
					}
				}
				var ee *ExportError
				if errors.As(err, &ee) || IsNotApplicable(err) {
					r.failure(rt, sel, "", err)
					break cases
				}
				label := fmt.Sprintf(" (api=%s)", api)
				if len(pc.params) > 0 {
					keys := make([]string, 0, len(pc.params))
					for k, v := range pc.params {
						keys = append(keys, fmt.Sprintf("%s=%d", k, v))
					}
					sort.Strings(keys)
					label = fmt.Sprintf(" (%s, api=%s)", strings.Join(keys, ", "), api)
				}
				r.failure(rt, sel, label, err)
			}
		}
	}
}

// stubbedModule compiles the module on a new engine relinked with imports and the
// module's WASI imports as plain host functions (the wasi=0 baseline); closing the module
// closes that engine.
func stubbedModule(newEngine func() (Engine, error), wasm []byte, imports []PluginImport) (Module, error) {
	if newEngine == nil {
		return nil, errors.New("no second engine for the baseline")
	}
	stubs, err := wasiStubs(wasm)
	if err != nil {
		return nil, err
	}
	eng, err := newEngine()
	if err != nil {
		return nil, err
	}
	if err := relink(eng, append(append([]PluginImport{}, imports...), stubs...), false); err != nil {
		eng.Close()
		return nil, err
	}
	m, err := eng.Compile(wasm)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("compile the module: %w", err)
	}
	return closeBoth{m, eng}, nil
}

// closeBoth is a module that closes its engine with it.
type closeBoth struct {
	Module
	eng Engine
}

func (c closeBoth) Close() { c.Module.Close(); c.eng.Close() }

func pluginCaseOf(mod Module, f *PluginFile, s *PluginScenario, pc pluginCase, api, instErr string) (Case, func(), error) {
	if s.Measure == "instantiate" {
		in, err := mod.Instantiate()
		if err != nil {
			return Case{}, nil, fmt.Errorf("%s: %w", instErr, err)
		}
		if s.Export != "" {
			_, err = genericCall(in, s.Export, api, s.Params, s.Results)
		}
		in.Close()
		if err != nil {
			return Case{}, nil, err
		}
		return Case{Loop: timed(func(n int) error {
			for i := 0; i < n; i++ {
				in, err := mod.Instantiate()
				if err != nil {
					return fmt.Errorf("instantiate: %w", err)
				}
				in.Close()
			}
			return nil
		})}, func() {}, nil
	}
	in, err := mod.Instantiate()
	if err != nil {
		return Case{}, nil, fmt.Errorf("%s: %w", instErr, err)
	}
	fail := func(err error) (Case, func(), error) { in.Close(); return Case{}, nil, err }
	// A WASI reactor's _initialize, if the module has one.
	if ini, err := in.FuncV_V("_initialize", api); err == nil {
		if err := ini(); err != nil {
			return fail(&callError{"_initialize", err})
		}
	}
	call, err := genericCall(in, s.Export, api, s.Params, s.Results)
	if err != nil {
		return fail(err)
	}
	mem, err := in.Memory()
	if err != nil {
		return fail(err)
	}
	alloc := func(size int) (uint32, error) {
		if f.Allocator == nil {
			return 0, fmt.Errorf("no [allocator] in the scenario file")
		}
		a, err := in.FuncI_I(f.Allocator.Allocate, api)
		if err != nil {
			return 0, err
		}
		return allocate(a, size)
	}
	input := pc.input
	var inPtr uint32
	if len(input) > 0 {
		if off, ok := s.InputAt.(int64); ok {
			inPtr = uint32(off)
		} else if inPtr, err = alloc(len(input)); err != nil {
			return fail(err)
		}
	}
	outLen := len(input)
	if s.OutLen != nil {
		outLen = int(*s.OutLen)
	}
	var outPtr uint32
	if s.Output == "out_buffer" {
		if outPtr, err = alloc(max(outLen, 1)); err != nil {
			return fail(err)
		}
	}
	var args [4]int32
	for i, a := range s.Args {
		switch v := a.(type) {
		case int64:
			if int64(int32(v)) != v {
				return fail(fmt.Errorf("argument %d does not fit an i32", v))
			}
			args[i] = int32(v)
		case string:
			switch v {
			case "in.ptr":
				args[i] = int32(inPtr)
			case "in.len":
				args[i] = int32(len(input))
			case "out.ptr":
				args[i] = int32(outPtr)
			case "out.len":
				args[i] = int32(outLen)
			default:
				return fail(fmt.Errorf("argument %q", v))
			}
		}
	}
	var dealloc func(a, b int32) error
	if s.FreeOutput && f.Allocator != nil && f.Allocator.Deallocate != "" {
		if dealloc, err = in.FuncII_V(f.Allocator.Deallocate, api); err != nil {
			return fail(err)
		}
	}
	var wantValue *int64
	if m, ok := s.Check.(map[string]any); ok {
		if v, ok := m["value"].(int64); ok {
			wantValue = &v
		}
	}
	acc, err := newAccess(mem, "view")
	if err != nil {
		return fail(err)
	}
	acc.refresh()
	var out []byte
	switch s.Output {
	case "out_buffer":
		out = make([]byte, outLen)
	case "in_place":
		out = make([]byte, len(input))
	}
	// The output kind as a number, so the timed loop compares no strings.
	const (
		outValue = iota
		outBuffer
		outInPlace
		outPacked
	)
	kind := map[string]int{"out_buffer": outBuffer, "in_place": outInPlace, "packed_ptr_len": outPacked}[s.Output]
	hasInput := len(input) > 0
	// One operation: input in, call, output out, freed.
	op := func(first bool) (int64, error) {
		if hasInput {
			if err := acc.in(inPtr, input); err != nil {
				return 0, err
			}
		}
		r, err := call(&args)
		if err != nil {
			return 0, &callError{s.Export, err}
		}
		if kind == outValue {
			return r, nil
		}
		acc.refresh() // the call may have grown memory
		switch kind {
		case outBuffer:
			err = acc.out(outPtr, out)
		case outInPlace:
			err = acc.out(inPtr, out)
		case outPacked:
			p, l := uint32(uint64(r)>>32), int(uint32(r))
			if first {
				out = make([]byte, l)
			} else if l != len(out) {
				return r, mismatch(s.Export, "returned %d bytes, the first call returned %d", l, len(out))
			}
			if err = acc.out(p, out); err == nil && dealloc != nil {
				if err = dealloc(int32(p), int32(l)); err != nil {
					err = &callError{f.Allocator.Deallocate, err}
				}
			}
		}
		return r, err
	}
	r, err := op(true)
	if err != nil {
		return fail(err)
	}
	if wantValue != nil && r != *wantValue {
		return fail(mismatch(s.Export, "returned %d, expected %d", r, *wantValue))
	}
	if pc.sha256 != "" {
		sum := sha256.Sum256(out)
		if got := hex.EncodeToString(sum[:]); got != pc.sha256 {
			return fail(mismatch(s.Export, "the output's sha256 is %s, expected %s (%d bytes)", got, pc.sha256, len(out)))
		}
	}
	checked := s.verified()
	if kind == outValue && !hasInput {
		// A call whose result is its return value and that takes no input (the built-in
		// noop and add, as files) is timed by a loop that calls the adapter's function
		// directly, as the hand-written loops do: the generic op's two closure calls would
		// cost some 75 instructions an operation (counted with --counts).
		loop, err := directLoop(in, s, api, args, wantValue, checked)
		if err != nil {
			return fail(err)
		}
		return Case{Loop: loop}, in.Close, nil
	}
	ref := bytes.Clone(out)
	n := len(ref)
	return Case{
		Loop: func(k int) (time.Duration, error) {
			if n > 0 {
				out[0] = ^out[0]
			}
			t0 := time.Now()
			for i := 0; i < k; i++ {
				r, err := op(false)
				if err != nil {
					return time.Since(t0), err
				}
				if checked {
					if wantValue != nil && r != *wantValue {
						return time.Since(t0), mismatch(s.Export, "returned %d, expected %d", r, *wantValue)
					}
					if n > 0 && (out[0] != ref[0] || out[n-1] != ref[n-1]) {
						return time.Since(t0), mismatch(s.Export, "the output bytes differ from the checked first call's")
					}
				}
			}
			return time.Since(t0), nil
		},
		Verify: func() error {
			if checked && !bytes.Equal(out, ref) {
				return mismatch(s.Export, "the output bytes differ from the checked first call's")
			}
			return nil
		},
		InputSHA256: func() string {
			if len(input) == 0 {
				return ""
			}
			return sha256Hex(input)
		}(),
	}, in.Close, nil
}

// directLoop times a file's call that takes no input and returns its result as a value,
// calling the adapter's function of its signature straight from the loop with its
// arguments as locals, and checking the value each call when the file gives one.
func directLoop(in Instance, s *PluginScenario, api string, a [4]int32, want *int64, checked bool) (func(int) (time.Duration, error), error) {
	check := checked && want != nil
	var w int64
	if want != nil {
		w = *want
	}
	name := s.Export
	bad := func(r int64) error { return mismatch(name, "returned %d, expected %d", r, w) }
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	switch sig := strings.Join(s.Params, ",") + "->" + strings.Join(s.Results, ","); sig {
	case "->":
		f, err := in.FuncV_V(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				if err := f(); err != nil {
					return &callError{name, err}
				}
			}
			return nil
		}), err
	case "i32->i32":
		f, err := in.FuncI_I(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				r, err := f(a0)
				if err != nil {
					return &callError{name, err}
				}
				if check && int64(r) != w {
					return bad(int64(r))
				}
			}
			return nil
		}), err
	case "i32,i32->i32":
		f, err := in.FuncII_I(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				r, err := f(a0, a1)
				if err != nil {
					return &callError{name, err}
				}
				if check && int64(r) != w {
					return bad(int64(r))
				}
			}
			return nil
		}), err
	case "i32,i32->":
		f, err := in.FuncII_V(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				if err := f(a0, a1); err != nil {
					return &callError{name, err}
				}
			}
			return nil
		}), err
	case "i32,i32,i32,i32->":
		f, err := in.FuncIIII_V(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				if err := f(a0, a1, a2, a3); err != nil {
					return &callError{name, err}
				}
			}
			return nil
		}), err
	case "i32,i32->i64":
		f, err := in.FuncII_L(name, api)
		return timed(func(k int) error {
			for i := 0; i < k; i++ {
				r, err := f(a0, a1)
				if err != nil {
					return &callError{name, err}
				}
				if check && r != w {
					return bad(r)
				}
			}
			return nil
		}), err
	default:
		return nil, fmt.Errorf("signature %s is not one the adapters call", sig)
	}
}
