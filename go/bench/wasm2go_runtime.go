package bench

// The wasm2go runtime, worker side: the glue generated with the translation
// (wasm2go_main.tmpl) registers a Wasm2goGuest, and this file makes it an Engine like
// every other: a module is the translated package (Compile only checks that the bytes
// are the ones translated), an instance is guest.New, exports are the generated
// methods. A trap is a Go panic in the translated code, turned into an error by
// recover: once around each generated loop (api direct) or once per call (api func).

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"text/template"
	"time"
)

// Wasm2goGuest is one translated module, as the generated glue describes it.
type Wasm2goGuest struct {
	Sha            string            // sha256 of the module's bytes
	ImportsProblem string            // non-empty: the module imports what this host does not provide
	Exports        map[string]string // export name -> its signature, or what else it is
	New            func() Wasm2goInstance
}

// Wasm2goInstance is one instance of the translated module (generated code).
type Wasm2goInstance interface {
	Funcs() map[string]any // export name -> the generated method as a func value
	MemSlice() *[]byte     // the exported memory's slice, nil without one
	// Direct returns the generated timed loop of a scenario, or ErrNoDirectLoop.
	Direct(name string, param int64, memAPI string) (Case, error)
}

// ErrNoDirectLoop: no generated loop for this scenario (the shared scenario code runs it).
var ErrNoDirectLoop = errors.New("no generated loop")

// RegisterWasm2go replaces the driver's wasm2go delegate entry with the real engine
// (called by the generated glue, in the worker binary only).
func RegisterWasm2go(g Wasm2goGuest) {
	register(Factory{Name: "wasm2go", Notes: wasm2goNotes, New: func() (Engine, error) { return &w2gEngine{g: g}, nil }})
}

// trapError is a trap: a Go panic in the translated code.
type trapError struct{ p any }

func (e trapError) Error() string {
	return fmt.Sprintf("wasm trap (a Go panic in the translated code, recovered): %v", e.p)
}

// Wasm2goRecover turns a panic in the translated code into the error *err, naming export.
// Deferred by the generated loops and the func API's closures.
func Wasm2goRecover(export string, err *error) {
	if p := recover(); p != nil {
		*err = &callError{export, trapError{p}}
	}
}

// recoverTrap is Wasm2goRecover for the func API's closures: the shared scenario code
// names the export itself.
func recoverTrap(err *error) {
	if p := recover(); p != nil {
		*err = trapError{p}
	}
}

// Mismatch is a wrong result of export (for the generated loops).
func Mismatch(export, format string, args ...any) error { return mismatch(export, format, args...) }

// Wasm2goOutOfBounds is a generated loop's copy (dir "in" or "out") of n bytes at off
// that does not fit in guest memory of size bytes: an error, checked before the copy so
// that a Go bounds panic is never reported as a trap.
func Wasm2goOutOfBounds(dir string, off uint32, n, size int) error {
	return fmt.Errorf("copy %s of %d bytes at %d beyond memory (%d bytes)", dir, n, off, size)
}

// VerifyReversed is string_roundtrip's full check after a sample.
func VerifyReversed(dst, src []byte) func() error { return verifyReversed(dst, src) }

// VerifyProduced is return_buffer's full check after a sample.
func VerifyProduced(dst []byte, n int, lastSeed *int32) error {
	for i := range dst {
		if dst[i] != byte(int(*lastSeed)+i) {
			return mismatch("produce_buffer", "byte %d of produce_buffer(%d, %d) is %d, expected %d", i, n, *lastSeed, dst[i], byte(int(*lastSeed)+i))
		}
	}
	dst[0] = ^dst[0]
	return nil
}

// batchAddInputs are batch_add's canonical operands and sums: a is the shared array
// (I32Array), b[i] = i - 7 (the same bytes as the Rust host's, checked by digest).
func batchAddInputs(n int) (a, b, want []int32) {
	a, _ = I32Array(n)
	b = make([]int32, n)
	want = make([]int32, n)
	for i := range b {
		b[i] = int32(i) - 7
		want[i] = a[i] + b[i]
	}
	return a, b, want
}

// BatchAddData is batch_add's input (a and b as bytes), its output buffer and its
// check: the first and last sum (full=false, inside the loop) or every sum (full=true,
// after a sample, which then spoils the output).
func BatchAddData(n int) (ab, bb, out []byte, check func(full bool) error) {
	a, b, want := batchAddInputs(n)
	wantB := LEBytes(want)
	out = make([]byte, 4*n)
	first, last := want[0], want[n-1]
	return LEBytes(a), LEBytes(b), out, func(full bool) error {
		if full {
			if !bytes.Equal(out, wantB) {
				return mismatch("batch_add", "batch_add of %d i32 gave wrong sums", n)
			}
			out[0] = ^out[0]
			return nil
		}
		if int32(binary.LittleEndian.Uint32(out)) != first || int32(binary.LittleEndian.Uint32(out[4*n-4:])) != last {
			return mismatch("batch_add", "batch_add of %d i32 gave wrong sums", n)
		}
		return nil
	}
}

// w2gMemory is the module's memory slice: view holds it, copy fetches it per access.
type w2gMemory struct{ p *[]byte }

func (m w2gMemory) View() []byte { return *m.p }

func (m w2gMemory) Write(off uint32, src []byte) error {
	v := *m.p
	if uint64(off)+uint64(len(src)) > uint64(len(v)) {
		return fmt.Errorf("write of %d bytes at %d beyond memory (%d bytes)", len(src), off, len(v))
	}
	copy(v[off:], src)
	return nil
}

func (m w2gMemory) Read(off uint32, dst []byte) error {
	v := *m.p
	if uint64(off)+uint64(len(dst)) > uint64(len(v)) {
		return fmt.Errorf("read of %d bytes at %d beyond memory (%d bytes)", len(dst), off, len(v))
	}
	copy(dst, v[off:])
	return nil
}

type w2gEngine struct{ g Wasm2goGuest }

func (e *w2gEngine) Info() RuntimeInfo { return wasm2goInfo() }

func (e *w2gEngine) Close() {}

// Relink implements Relinker only to say why not: the translated module's imports are
// methods of a Go type compiled into this binary (env.host_inc only).
func (e *w2gEngine) Relink(_ []PluginImport, wasi bool) error {
	if wasi {
		return errNotApplicable{"no WASI implementation linked in this adapter: wasm2go's translated module calls " +
			"its imports as methods of a Go type compiled into the binary, and this build defines env.host_inc only"}
	}
	return errNotApplicable{"wasm2go's translated module calls its imports as methods of a Go type compiled into " +
		"the binary, and this build defines env.host_inc only, not a scenario file's host functions"}
}

// Compile: the module was translated and built into this worker; the bytes must be the
// ones it was built for.
func (e *w2gEngine) Compile(wasm []byte) (Module, error) {
	sum := sha256.Sum256(wasm)
	if got := hex.EncodeToString(sum[:]); got != e.g.Sha {
		return nil, fmt.Errorf("this wasm2go worker was built for the module with sha256 %s, not %s", e.g.Sha[:16], got[:16])
	}
	return &w2gModule{e.g}, nil
}

type w2gModule struct{ g Wasm2goGuest }

func (m *w2gModule) Close() {}

func (m *w2gModule) Instantiate() (in Instance, err error) {
	if m.g.ImportsProblem != "" {
		return nil, errors.New(m.g.ImportsProblem)
	}
	defer func() { // data segments out of bounds, a trapping start function
		if p := recover(); p != nil {
			err = trapError{p}
		}
	}()
	gi := m.g.New()
	return &w2gInstance{g: m.g, gi: gi, funcs: gi.Funcs()}, nil
}

type w2gInstance struct {
	g     Wasm2goGuest
	gi    Wasm2goInstance
	funcs map[string]any
}

func (in *w2gInstance) Close() {}

// BatchAdd implements BatchCaller only to say why not.
func (in *w2gInstance) BatchAdd(string) (func(int, int32, int32) (int32, error), error) {
	return nil, errNotApplicable{"wasm2go translates the module into plain Go: a call is a Go method call, " +
		"with no cgo toll for a batch made on the far side to amortize"}
}

func (in *w2gInstance) lookup(name, api string, want Sig) (any, error) {
	if api != "direct" && api != "func" {
		return nil, errAPI(api)
	}
	f, ok := in.funcs[name]
	if !ok {
		kind, exists := in.g.Exports[name]
		if !exists {
			return nil, errMissing(name)
		}
		return nil, errNotFunc(name, kind)
	}
	got := in.g.Exports[name]
	if got != want.String() {
		return nil, &ExportError{Export: name, Msg: fmt.Sprintf("export %s has type %s, expected %s", name, got, want)}
	}
	return f, nil
}

// typed asserts the generated method's Go type; it matches whenever the Wasm type did.
func typed[F any](name string, f any) (F, error) {
	t, ok := f.(F)
	if !ok {
		return t, &ExportError{Export: name, Msg: fmt.Sprintf("export %s is a Go %s", name, reflect.TypeOf(f))}
	}
	return t, nil
}

func (in *w2gInstance) FuncV_V(name, api string) (func() error, error) {
	f, err := in.lookup(name, api, SigV_V)
	if err != nil {
		return nil, err
	}
	g, err := typed[func()](name, f)
	return func() (err error) { defer recoverTrap(&err); g(); return nil }, err
}

func (in *w2gInstance) FuncI_I(name, api string) (func(int32) (int32, error), error) {
	f, err := in.lookup(name, api, SigI_I)
	if err != nil {
		return nil, err
	}
	g, err := typed[func(int32) int32](name, f)
	return func(a int32) (r int32, err error) { defer recoverTrap(&err); return g(a), nil }, err
}

func (in *w2gInstance) FuncII_I(name, api string) (func(int32, int32) (int32, error), error) {
	f, err := in.lookup(name, api, SigII_I)
	if err != nil {
		return nil, err
	}
	g, err := typed[func(int32, int32) int32](name, f)
	return func(a, b int32) (r int32, err error) { defer recoverTrap(&err); return g(a, b), nil }, err
}

func (in *w2gInstance) FuncII_V(name, api string) (func(int32, int32) error, error) {
	f, err := in.lookup(name, api, SigII_V)
	if err != nil {
		return nil, err
	}
	g, err := typed[func(int32, int32)](name, f)
	return func(a, b int32) (err error) { defer recoverTrap(&err); g(a, b); return nil }, err
}

func (in *w2gInstance) FuncIIII_V(name, api string) (func(int32, int32, int32, int32) error, error) {
	f, err := in.lookup(name, api, SigIIII_V)
	if err != nil {
		return nil, err
	}
	g, err := typed[func(int32, int32, int32, int32)](name, f)
	return func(a, b, c, d int32) (err error) { defer recoverTrap(&err); g(a, b, c, d); return nil }, err
}

func (in *w2gInstance) FuncII_L(name, api string) (func(int32, int32) (int64, error), error) {
	f, err := in.lookup(name, api, SigII_L)
	if err != nil {
		return nil, err
	}
	g, err := typed[func(int32, int32) int64](name, f)
	return func(a, b int32) (r int64, err error) { defer recoverTrap(&err); return g(a, b), nil }, err
}

func (in *w2gInstance) Memory() (Memory, error) {
	p := in.gi.MemSlice()
	if p == nil {
		if kind, ok := in.g.Exports["memory"]; ok {
			return nil, errNotFunc("memory", kind) // not what the ABI expects either way
		}
		return nil, errMissing("memory")
	}
	return w2gMemory{p}, nil
}

// DirectCase is wasmCase's hook (see DirectCaser): the generated loop of a scenario on a
// fresh instance, for the direct call API.
func (e *w2gEngine) DirectCase(mod Module, scenario string, param int64, callAPI, memAPI string) (c Case, cleanup func(), err error, ok bool) {
	if callAPI != "direct" || mod == nil {
		return Case{}, nil, nil, false
	}
	switch scenario {
	case "compile", "instantiate", "first_call", "deserialize", "instantiate_pre", "copy_in", "copy_out":
		return Case{}, nil, nil, false // no guest call in the loop, or no loop of calls
	}
	in, err := mod.Instantiate()
	if err != nil {
		return Case{}, nil, nil, false // the shared code reports it
	}
	gi := in.(*w2gInstance).gi
	func() {
		defer Wasm2goRecover(scenario, &err) // setup calls (allocate) may trap too
		c, err = gi.Direct(scenario, param, memAPI)
	}()
	if errors.Is(err, ErrNoDirectLoop) {
		return Case{}, nil, nil, false
	}
	return c, func() {}, err, true
}

// Deserialize: a translated module is Go code linked into the binary; there are no
// module bytes to load.
func (e *w2gEngine) Serialize(Module) ([]byte, error) {
	return nil, errNotApplicable{"wasm2go: the module is Go code compiled into the worker binary; there is nothing to serialize or load (compile is the whole ahead-of-time step)"}
}
func (e *w2gEngine) Deserialize([]byte) (Module, error) { return nil, errors.New("not applicable") }

// InstancePre: New resolves nothing; the import is an interface value passed to New.
func (e *w2gEngine) InstancePre(Module) (InstancePre, error) {
	return nil, errNotApplicable{"wasm2go: New takes the imports as Go interface values; there is no import resolution to do ahead of time (instantiate is already that)"}
}

// Wasm2goCompileSamples bounds the compile scenario of wasm2go: one op (translate +
// go build) takes seconds, so each sample is one op and there are at most this many, the
// row's whole, split between its worker processes (Config.selfTimedSamples).
const Wasm2goCompileSamples = 3

// MeasureCompile is the compile scenario of wasm2go (see SelfMeasured): each op
// translates the module with the pinned wasm2go into a fresh package (a nonce in it, so
// that go's build cache cannot serve it) and builds a program linking it; the last
// program runs and must print add_numbers(40, 2) = 42. Metrics: the peak RSS of the
// translator and the build (any process they started), the Go source's and the
// binary's sizes.
func (e *w2gEngine) MeasureCompile(wasm []byte, cfg Config) (RowEvent, error) {
	var row RowEvent
	src := goModuleDir()
	if src == "" {
		return row, errors.New("needs the Go host's sources to run the translator, and this binary does not know where they are")
	}
	tool, err := Wasm2goTool(src)
	if err != nil {
		return row, err
	}
	dir, err := os.MkdirTemp("", "interop-wasm2go-compile-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(dir)
	samples := cfg.selfTimedSamples(Wasm2goCompileSamples)
	var g genInfo
	var goBytes, binBytes int64
	exe := filepath.Join(dir, "prog")
	stop := StopFixed
	for i := 0; i < samples; i++ {
		pkgDir := filepath.Join(dir, "guest")
		os.RemoveAll(pkgDir)
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return row, err
		}
		goFile := filepath.Join(pkgDir, "guest.go")
		t0 := time.Now()
		if err := Translate(tool, wasm, "guest", goFile); err != nil {
			return row, err
		}
		nonce := fmt.Sprintf("\nconst interopBenchBuildNonce = %q\n", fmt.Sprint(time.Now().UnixNano(), "-", i))
		f, err := os.OpenFile(goFile, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(nonce)
			f.Close()
		}
		if err != nil {
			return row, err
		}
		if i == 0 { // untimed set-up of the program around the package (not part of compiling)
			d0 := time.Now()
			if g, err = inspectTranslation(goFile); err != nil {
				return row, err
			}
			if err := writeCompileProgram(dir, g); err != nil {
				return row, err
			}
			t0 = t0.Add(time.Since(d0))
		}
		cmd := exec.Command("go", "build", "-o", exe, ".")
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return row, fmt.Errorf("go build of the translated module failed: %v: %s", err, bytes.TrimSpace(out.Bytes()))
		}
		d := time.Since(t0)
		row.SampleNsPerOp = append(row.SampleNsPerOp, float64(d.Nanoseconds()))
		var sampled float64
		for _, x := range row.SampleNsPerOp {
			sampled += x
		}
		if cfg.boundReached(len(row.SampleNsPerOp), time.Duration(sampled)) {
			stop = StopTimeCap
			break
		}
		if st, err := os.Stat(goFile); err == nil {
			goBytes = st.Size()
		}
		if st, err := os.Stat(exe); err == nil {
			binBytes = st.Size()
		}
	}
	out, err := exec.Command(exe).CombinedOutput()
	if err != nil {
		return row, fmt.Errorf("the program built from the translation failed: %v: %s", err, bytes.TrimSpace(out))
	}
	if g.Has("add_numbers", SigII_I.String()) && g.ImportsOK() && strings.TrimSpace(string(out)) != "42" {
		return row, mismatch("add_numbers", "the program built from the translation printed %q for add_numbers(40, 2), expected 42", bytes.TrimSpace(out))
	}
	var ru syscall.Rusage
	metrics := map[string]float64{"go_source_bytes": float64(goBytes), "binary_bytes": float64(binBytes)}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		metrics["peak_rss_bytes"] = float64(ru.Maxrss) * 1024 // Linux: KiB
	}
	row = RowEvent{Event: "row", Host: Host, Runtime: "wasm2go", API: Wasm2goCallAPIs[0], Scenario: "compile",
		Params: map[string]int64{}, ItersPerSample: 1, SampleNsPerOp: row.SampleNsPerOp, Verified: true, Metrics: metrics, Stop: stop}
	return row, nil
}

var compileProgTmpl = template.Must(template.New("prog").Parse(`// A program linking the translated module (interop-bench's wasm2go compile scenario).
package main

import (
	"fmt"

	guest "interop-wasm2go-compile/guest"
)

type env struct{}

func (env) Xhost_inc(x int32) int32 { return x + 1 }

var _ = env{}

func main() {
{{- if and .ImportsOK (.Has "add_numbers" "(i32, i32) -> i32")}}
	m := guest.New({{if .NewArgs}}env{}{{end}})
	fmt.Println(m.Xadd_numbers(40, 2))
{{- else}}
	fmt.Println(guest.New != nil)
{{- end}}
}
`))

func writeCompileProgram(dir string, g genInfo) error {
	var b bytes.Buffer
	if err := compileProgTmpl.Execute(&b, g); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module interop-wasm2go-compile\n\ngo 1.26\n"), 0o644)
}

// DirectCaser is an engine with timed loops of its own for some cases (wasm2go's loops,
// generated with the translation). ok = false: the shared scenario code runs the case.
type DirectCaser interface {
	DirectCase(mod Module, scenario string, param int64, callAPI, memAPI string) (c Case, cleanup func(), err error, ok bool)
}

// CompileMeasurer is an engine that measures its compile scenario itself, because one
// op takes seconds (wasm2go: translate + go build): the row it returns is emitted as is.
type CompileMeasurer interface {
	MeasureCompile(wasm []byte, cfg Config) (RowEvent, error)
}
