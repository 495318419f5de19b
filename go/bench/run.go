package bench

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// errNotApplicable marks a scenario the runtime cannot express.
type errNotApplicable struct{ reason string }

func (e errNotApplicable) Error() string { return e.reason }

// errAPINotApplicable marks one call or memory API that cannot express a scenario
// (e.g. a nocallback call API on a path that calls back into Go): reported once for that
// API, while the scenario's other APIs still run.
type errAPINotApplicable struct{ api, reason string }

func (e errAPINotApplicable) Error() string { return e.reason }

// Runner runs scenarios for one runtime and emits their events.
type Runner struct {
	Emit  *Emitter
	Cfg   Config
	Guest []byte // nil for the native runtime
	// Failures counts failure events with status "failed".
	Failures int
}

func paramsOf(sc Scenario, v *int64) map[string]int64 {
	p := map[string]int64{}
	if v != nil {
		p[sc.Param] = *v
	}
	return p
}

func paramLabel(sc Scenario, v *int64, api string) string {
	var parts []string
	if v != nil {
		parts = append(parts, fmt.Sprintf("%s=%d", sc.Param, *v))
	}
	if api != "" {
		parts = append(parts, "api="+api)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// failure emits a failure event for err, which names the export when it can.
func (r *Runner) failure(runtime string, sc Scenario, where string, err error) {
	status := "failed"
	var na errNotApplicable
	var ni errNoImpl
	if errors.As(err, &na) || errors.As(err, &ni) {
		status = "not_applicable"
	} else {
		r.Failures++
	}
	export := exportOf(err)
	r.Emit.Failure(runtime, sc.Name, export, fmt.Sprintf("%s: %s: %v%s", runtime, sc.Name, err, where), status)
}

func exportOf(err error) string {
	var ee *ExportError
	var ce *callError
	var ke *checkError
	switch {
	case errors.As(err, &ee):
		return ee.Export
	case errors.As(err, &ce):
		return ce.export
	case errors.As(err, &ke):
		return ke.export
	}
	return ""
}

// measureSafely turns a panic (e.g. a guest pointer outside memory) into an error.
func measureSafely(c Case, cfg Config) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return Measure(c, cfg)
}

func (r *Runner) row(runtime, api string, sc Scenario, v *int64, res Result, inputSHA256 string) {
	if res.Skipped {
		return
	}
	if res.Counted != nil {
		r.Emit.Emit(CountEvent{Event: "count", Host: Host, Runtime: runtime, API: api, Scenario: sc.Name,
			Params: paramsOf(sc, v), N1: res.Counted.N1, N2: res.Counted.N2,
			InstructionsPerOp: res.Counted.PerOp, GCCycles: res.Counted.GCCycles, Verified: true})
		return
	}
	r.Emit.Emit(RowEvent{
		Event: "row", Host: Host, Runtime: runtime, API: api, Scenario: sc.Name,
		Params: paramsOf(sc, v), ItersPerSample: res.Iters, SampleNsPerOp: res.NsPerOp,
		Verified: true, Metrics: res.Metrics, InputSHA256: inputSHA256, Stop: res.Stop,
		MachineRefNs:    res.MachineRefNs,
		SampleMachineNs: res.SampleMachineNs,
		MachineFastNs:   res.MachineFastNs,
		Remeasured:      res.Remeasured,
	})
}

// RunNative runs the target = "native" scenarios on the Go baseline.
func (r *Runner) RunNative(scenarios []Scenario) {
	const rt = "native"
	for _, sc := range scenarios {
		r.Emit.Start(rt, sc.Name)
		for _, v := range sc.Cases() {
			var p int64
			if v != nil {
				p = *v
			}
			c, err := nativeCase(sc.Name, p)
			if err == nil {
				var res Result
				if res, err = measureSafely(c, r.Cfg.forRow("direct", sc.Name, paramsOf(sc, v))); err == nil {
					r.row(rt, "direct", sc, v, res, "")
					continue
				}
			}
			r.failure(rt, sc, paramLabel(sc, v, ""), err)
			var na errNotApplicable
			var ni errNoImpl
			if errors.As(err, &na) || errors.As(err, &ni) {
				break
			}
		}
	}
}

// apis returns the API names a scenario's rows vary over, and which of the two kinds
// (call or memory) they are.
func apis(info RuntimeInfo, sc Scenario) (list []string, memory bool) {
	switch sc.Varies {
	case "call":
		return info.CallAPIs, false
	case "memory":
		return info.MemoryAPIs, true
	}
	return info.CallAPIs[:1], false
}

// RunWasm runs the target = "wasm" scenarios on one engine. The guest is compiled once
// for all of them (except the compile scenario, which times compiling); every case
// gets a fresh instance.
func (r *Runner) RunWasm(eng Engine, scenarios []Scenario) {
	info := eng.Info()
	rt := info.Runtime
	var mod Module
	var modErr error
	compiled := false
	defer func() {
		if mod != nil {
			mod.Close()
		}
	}()
	for _, sc := range scenarios {
		r.Emit.Start(rt, sc.Name)
		if _, ok := eng.(CompileMeasurer); ok && sc.Name == "compile" && r.Cfg.Count != nil {
			r.Emit.Failure(rt, sc.Name, "", fmt.Sprintf("%s: %s: not applicable: compiling runs the translator and the Go toolchain in other processes, which callgrind does not count here", rt, sc.Name), "not_applicable")
			continue
		}
		if cm, ok := eng.(CompileMeasurer); ok && sc.Name == "compile" {
			// An engine whose compile takes seconds an op (wasm2go: translate + go build).
			if row, err := cm.MeasureCompile(r.Guest, r.Cfg); err != nil {
				r.failure(rt, sc, "", err)
			} else {
				r.Emit.Emit(row)
			}
			continue
		}
		if sc.Name == "compile" && mod != nil {
			// An engine may keep a compiled module in memory, keyed by its bytes, for as
			// long as one is open: wazero does (both of its engines return early from
			// CompileModule when the bytes' SHA-256 is in their map, and
			// CompiledModule.Close drops the entry only when its reference count reaches
			// 0). With the shared module open, compile would time decoding plus a map
			// lookup, so close it first; the next scenario compiles the guest again.
			mod.Close()
			mod, compiled = nil, false
		}
		if !compiled && sc.Name != "compile" {
			compiled = true
			mod, modErr = eng.Compile(r.Guest)
			if modErr != nil {
				modErr = fmt.Errorf("compile guest: %w", modErr)
			}
		}
		if sc.Name != "compile" && modErr != nil {
			r.failure(rt, sc, "", modErr)
			continue
		}
		list, memory := apis(info, sc)
		skip := map[string]bool{} // APIs found not applicable to this scenario
	cases:
		for _, v := range sc.Cases() {
			var p int64
			if v != nil {
				p = *v
			}
			for _, api := range list {
				if skip[api] {
					continue
				}
				callAPI, memAPI := api, "view"
				if memory {
					callAPI, memAPI = info.CallAPIs[0], api
				}
				c, cleanup, err := wasmCase(eng, mod, r.Guest, sc, p, callAPI, memAPI)
				if err == nil {
					var res Result
					res, err = measureSafely(c, r.Cfg.forRow(api, sc.Name, paramsOf(sc, v)))
					cleanup()
					if err == nil {
						r.row(rt, api, sc, v, res, c.InputSHA256)
						continue
					}
				}
				var apiNA errAPINotApplicable
				if errors.As(err, &apiNA) {
					skip[api] = true
					r.Emit.APINotApplicable(rt, sc.Name, api, fmt.Sprintf("%s: %s (%s): %v", rt, sc.Name, api, err))
					continue
				}
				// A lookup failure or an inexpressible scenario is the same for every
				// case: report it once, without the case's parameter and API.
				var ee *ExportError
				var na errNotApplicable
				var ni errNoImpl
				if errors.As(err, &ee) || errors.As(err, &na) || errors.As(err, &ni) {
					r.failure(rt, sc, "", err)
					break cases
				}
				r.failure(rt, sc, paramLabel(sc, v, api), err)
			}
		}
	}
}

// Select keeps the scenarios of one target, in file order, restricted to names when
// names is not empty. Unknown names are an error.
func Select(f *ScenarioFile, target string, names []string) ([]Scenario, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Scenario
	seen := map[string]bool{}
	for _, sc := range f.Scenarios {
		seen[sc.Name] = true
		if len(want) > 0 && !want[sc.Name] {
			continue
		}
		if sc.Target == target {
			out = append(out, sc)
		}
	}
	var missing []string
	for _, n := range names {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("unknown scenario(s) %s (not in the scenario list)", strings.Join(missing, ", "))
	}
	return out, nil
}

// ReadGuest reads the guest module's bytes.
func ReadGuest(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("guest module: %w", err)
	}
	return b, nil
}
