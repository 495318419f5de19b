// Command interop-go-host is the Go worker of interop-bench: it runs the scenario list
// on one runtime (native, wasmtime-go, wazero:compiler, wazero:interpreter, wasmer-go)
// and prints the JSON-lines events of docs/hosts.md on stdout.
//
//	interop-go-host --runtime NAME --guest PATH --scenarios-file PATH
//	                [--scenario NAME]... --warmup-ms F --target-sample-ms F --samples N
//	interop-go-host --runtime list
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"interop-bench/go/bench"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	watchParent()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// watchParent: when started by interop-bench (INTEROP_BENCH_WATCH_STDIN set), exit as soon
// as standard input closes, so that a worker stuck in a guest that never returns dies
// with the run that started it instead of spinning on.
func watchParent() {
	if os.Getenv("INTEROP_BENCH_WATCH_STDIN") == "" {
		return
	}
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := os.Stdin.Read(buf); err != nil {
				os.Exit(3)
			}
		}
	}()
}

func usageErr(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "interop-go-host: "+format+"\n", args...)
	return 2
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("interop-go-host", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runtimeName := fs.String("runtime", "", "runtime to run, or `list`")
	guest := fs.String("guest", "", "path of the guest .wasm")
	scenFile := fs.String("scenarios-file", "", "path of scenarios.toml")
	pluginFile := fs.String("plugin-file", "", "a user's scenario file (docs/scenario-files.md): run its scenarios instead")
	var only multi
	fs.Var(&only, "scenario", "run only this scenario (repeatable)")
	cfg := bench.Config{}
	fs.Float64Var(&cfg.WarmupMs, "warmup-ms", 100, "warm-up per case, ms")
	fs.Float64Var(&cfg.TargetSampleMs, "target-sample-ms", 10, "target time of one sample, ms")
	fs.IntVar(&cfg.Samples, "samples", 10, "samples per case (the minimum with --precision-pct)")
	fs.Float64Var(&cfg.PrecisionPct, "precision-pct", 0, "sample until the mean's 95% interval is within ± this many percent (0: exactly --samples)")
	fs.BoolVar(&cfg.FastState, "fast-state", false, "with --precision-pct: set aside the samples taken while the machine ran slower than its fast state (not for rows whose calls make work for the collector)")
	fs.Float64Var(&cfg.MaxRowMs, "max-row-ms", 0, "with --precision-pct: the sampling time a case may take, ms; without (a fixed count): a case whose samples took this long stops after two (0: exactly --samples)")
	countsOut := fs.String("counts-out", "", "count instructions under callgrind instead of timing: callgrind's --callgrind-out-file (set by interop-bench run --counts)")
	countWork := fs.Int64("count-work", 10000000, "--counts-out: instructions of work between a row's two counted loops")
	countRepeats := fs.Int("count-repeats", 2, "--counts-out: repeats of each row's pair of counted loops")
	maxMemoryMiB := fs.Uint64("max-memory-mib", 1024, "linear memory a guest instance may grow to, MiB (1 to 4096)")
	fs.IntVar(&cfg.Processes, "processes", 1, "the run measures each row in this many worker processes: the settings above are a row's whole budget, of which this worker takes its share (a row whose calls make work for the collector: whole in the first process, skipped in the others)")
	fs.IntVar(&cfg.Process, "process", 0, "which of those processes this is, from 0")
	var remeasure multi
	fs.Var(&remeasure, "remeasure", "in a later process: measure this row whose calls make work for the collector again, whole (api/scenario[/name=value...]; repeatable; set by interop-bench run when a slow stretch of the machine covered it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "unexpected argument %q", fs.Arg(0))
	}
	if !(cfg.PrecisionPct >= 0 && cfg.PrecisionPct <= 100) {
		return usageErr(stderr, "--precision-pct %v is out of range: 0 (a fixed number of samples) to 100", cfg.PrecisionPct)
	}
	if !(cfg.MaxRowMs >= 0 && cfg.MaxRowMs <= 3_600_000) || (cfg.PrecisionPct > 0 && cfg.MaxRowMs <= 0) {
		return usageErr(stderr, "--max-row-ms %v is out of range: with --precision-pct, between 1 and 3600000", cfg.MaxRowMs)
	}
	if cfg.Processes < 1 || cfg.Processes > 8 || cfg.Process < 0 || cfg.Process >= cfg.Processes {
		return usageErr(stderr, "--processes %d --process %d is out of range: 1 to 8 processes, numbered from 0", cfg.Processes, cfg.Process)
	}
	if len(remeasure) > 0 {
		cfg.Remeasure = map[string]bool{}
		for _, id := range remeasure {
			cfg.Remeasure[id] = true
		}
	}
	if *maxMemoryMiB < 1 || *maxMemoryMiB > 4096 {
		return usageErr(stderr, "--max-memory-mib %d is out of range: between 1 and 4096", *maxMemoryMiB)
	}
	bench.MaxMemoryBytes = *maxMemoryMiB << 20
	if *countsOut != "" && *runtimeName != "list" && !isDelegate(*runtimeName) {
		if err := bench.CheckCounting(); err != nil {
			return usageErr(stderr, "%v", err)
		}
		if *countWork < 1000 || *countRepeats < 1 || *countRepeats > 100 {
			return usageErr(stderr, "--count-work must be at least 1000 and --count-repeats between 1 and 100")
		}
		cfg.Count = &bench.CountSpec{Out: *countsOut, Work: *countWork, Repeats: *countRepeats}
	}
	emit := bench.NewEmitter(stdout)

	if *runtimeName == "list" {
		emit.Runtime(bench.NativeInfo())
		for _, f := range bench.Factories() {
			emit.Runtime(infoOf(f))
		}
		return 0
	}
	if *runtimeName == "" {
		return usageErr(stderr, "--runtime is required (try --runtime list)")
	}
	var factory bench.Factory
	native := *runtimeName == "native"
	if !native {
		var ok bool
		if factory, ok = bench.Lookup(*runtimeName); !ok {
			names := []string{"native"}
			for _, f := range bench.Factories() {
				names = append(names, f.Name)
			}
			return usageErr(stderr, "unknown runtime %q (this build has: %s)", *runtimeName, strings.Join(names, ", "))
		}
		if factory.Delegate {
			// This binary cannot link the engine (see wasmer_delegate.go): hand the whole
			// run, with the same arguments, to a binary that can. Returns only on failure.
			err := delegate(factory, args, *guest, stderr)
			if *pluginFile != "" {
				plugin, perr := bench.LoadPlugin(*pluginFile)
				if perr != nil {
					return usageErr(stderr, "%v", perr)
				}
				scenarios, perr := plugin.Names(only)
				if perr != nil {
					return usageErr(stderr, "%v", perr)
				}
				failAll(emit, bench.DelegateInfo(factory), scenarios, err.Error())
				return 0
			}
			return reportDelegateFailure(emit, factory, err, *scenFile, only, stderr)
		}
	}
	if *scenFile == "" {
		return usageErr(stderr, "--scenarios-file is required")
	}
	list, err := bench.LoadScenarios(*scenFile)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	target := "wasm"
	if native {
		target = "native"
	}
	var plugin *bench.PluginFile
	var scenarios []bench.Scenario
	if *pluginFile != "" && !native {
		if plugin, err = bench.LoadPlugin(*pluginFile); err == nil {
			scenarios, err = plugin.Names(only)
		}
	} else {
		scenarios, err = bench.Select(list, target, only)
	}
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	r := &bench.Runner{Emit: emit, Cfg: cfg}
	if native {
		emit.Runtime(bench.NativeInfo())
		r.RunNative(scenarios)
		return 0
	}
	eng, err := factory.New()
	if err != nil {
		failAll(emit, bench.RuntimeInfo{Runtime: factory.Name, Notes: factory.Notes}, scenarios,
			fmt.Sprintf("cannot create the engine: %v", err))
		return 0
	}
	defer eng.Close()
	info := eng.Info()
	if *guest == "" {
		return usageErr(stderr, "--guest is required for runtime %s", factory.Name)
	}
	wasm, err := bench.ReadGuest(*guest)
	if err != nil {
		failAll(emit, info, scenarios, err.Error())
		return 0
	}
	emit.Runtime(info)
	r.Guest = wasm
	if plugin != nil {
		r.RunPlugin(eng, factory.New, plugin, scenarios)
		return 0
	}
	r.RunWasm(eng, scenarios)
	return 0
}

// infoOf describes a runtime for `--runtime list`.
func infoOf(f bench.Factory) bench.RuntimeInfo {
	if f.Delegate {
		return bench.DelegateInfo(f)
	}
	eng, err := f.New()
	if err != nil {
		return bench.RuntimeInfo{Runtime: f.Name, Notes: "cannot create the engine: " + err.Error()}
	}
	defer eng.Close()
	return eng.Info()
}

// failAll reports every scenario as failed with the same reason (never silently absent).
func failAll(emit *bench.Emitter, info bench.RuntimeInfo, scenarios []bench.Scenario, msg string) {
	emit.Runtime(info)
	for _, sc := range scenarios {
		emit.Start(info.Runtime, sc.Name)
		emit.Failure(info.Runtime, sc.Name, "", fmt.Sprintf("%s: %s: %s", info.Runtime, sc.Name, msg), "failed")
	}
}

// isDelegate: a runtime this binary hands to another (which checks counting itself).
func isDelegate(name string) bool {
	f, ok := bench.Lookup(name)
	return ok && f.Delegate
}

func lookupRuntime(name string) (bench.Factory, bool) { return bench.Lookup(name) }
