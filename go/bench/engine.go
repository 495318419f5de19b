// Package bench is the Go host of interop-bench: one adapter per Wasm engine behind the
// small Engine/Module/Instance/Memory interfaces below, the measurement loop of
// docs/hosts.md, and the scenarios of scenarios/scenarios.toml written once against
// those interfaces.
//
// The interfaces mirror the Rust host's: compile, instantiate (with env.host_inc
// linked), look up an export with its expected signature once (outside any timed
// loop) for one call API, and reach linear memory either through the engine's
// zero-copy view or through explicit copies.
package bench

import (
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
)

// ValType is a WebAssembly value type the guest ABI uses.
type ValType string

const (
	I32 ValType = "i32"
	I64 ValType = "i64"
	F32 ValType = "f32"
	F64 ValType = "f64"
)

// Sig is a function signature, printed as "(i32, i32) -> i32".
type Sig struct {
	Params  []ValType
	Results []ValType
}

func (s Sig) String() string {
	return "(" + joinTypes(s.Params) + ") -> " + results(s.Results)
}

func results(r []ValType) string {
	switch len(r) {
	case 0:
		return "()"
	case 1:
		return string(r[0])
	}
	return "(" + joinTypes(r) + ")"
}

func joinTypes(ts []ValType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, ", ")
}

// Equal reports whether two signatures are the same.
func (s Sig) Equal(o Sig) bool {
	if len(s.Params) != len(o.Params) || len(s.Results) != len(o.Results) {
		return false
	}
	for i := range s.Params {
		if s.Params[i] != o.Params[i] {
			return false
		}
	}
	for i := range s.Results {
		if s.Results[i] != o.Results[i] {
			return false
		}
	}
	return true
}

// The signatures of the guest ABI (docs/hosts.md).
var (
	SigV_V       = Sig{}                                                     // no_op
	SigI_I       = Sig{Params: []ValType{I32}, Results: []ValType{I32}}      // allocate, call_host
	SigII_I      = Sig{Params: []ValType{I32, I32}, Results: []ValType{I32}} // add_numbers, sum_array
	SigII_V      = Sig{Params: []ValType{I32, I32}}                          // deallocate, reverse_string_in_place
	SigIIII_V    = Sig{Params: []ValType{I32, I32, I32, I32}}                // batch_add
	SigII_L      = Sig{Params: []ValType{I32, I32}, Results: []ValType{I64}} // produce_buffer
	HostIncSig   = SigI_I                                                    // env.host_inc
	HostIncValue = func(x int32) int32 { return x + 1 }
)

// ExportError is a failed export lookup: missing, not a function, or the wrong
// signature. The runner adds the runtime and scenario in front.
type ExportError struct {
	Export string
	Msg    string
}

func (e *ExportError) Error() string { return e.Msg }

func errMissing(name string) error {
	return &ExportError{Export: name, Msg: fmt.Sprintf("export %s not found", name)}
}

func errNotFunc(name, kind string) error {
	return &ExportError{Export: name, Msg: fmt.Sprintf("export %s is a %s, expected a function", name, kind)}
}

func errSig(name string, got, want Sig) error {
	return &ExportError{Export: name, Msg: fmt.Sprintf("export %s has type %s, expected %s", name, got, want)}
}

func errAPI(api string) error {
	return fmt.Errorf("unknown call API %q", api)
}

// RuntimeInfo is the body of the `runtime` event.
type RuntimeInfo struct {
	Runtime    string
	Engine     string
	Version    string
	CallAPIs   []string
	MemoryAPIs []string
	Notes      string
	// FFI is "cgo" for an engine reached through cgo, "" otherwise.
	FFI string
	// DirectPath names the runtime that calls the same engine's C API directly (the
	// Go binding left out), where this build has one: "wasmtime-capi" for wasmtime-go.
	DirectPath string
}

// Engine is one Wasm engine in one configuration (a runtime in the protocol's sense).
type Engine interface {
	Info() RuntimeInfo
	// Compile turns bytes into a module (validation and code generation).
	Compile(wasm []byte) (Module, error)
	Close()
}

// Module is a compiled module.
type Module interface {
	// Instantiate makes a ready instance in a fresh store (where the engine has stores)
	// with env.host_inc linked as x+1.
	Instantiate() (Instance, error)
	Close()
}

// The start-up mitigations are optional capabilities of an Engine, checked with a type
// assertion: an engine implements one only where its API has the step, and the runner
// reports the scenario as not applicable otherwise. An engine that wants to say more
// precisely why not may implement the method and return errNotApplicable{reason}.

// Serializer is the deserialize scenario's capability: a compiled module as bytes, loaded
// back later without compiling.
type Serializer interface {
	// Serialize returns mod's compiled code as bytes for Deserialize on this engine.
	Serialize(mod Module) ([]byte, error)
	// Deserialize loads bytes made by Serialize into a module as ready to instantiate as
	// one from Compile (and closed the same way).
	Deserialize(data []byte) (Module, error)
}

// PreLinker is the instantiate_pre scenario's capability: a module's imports resolved
// once, ahead of many instantiations (wasmtime's InstancePre).
type PreLinker interface {
	InstancePre(mod Module) (InstancePre, error)
}

// InstancePre is a module with its imports resolved. Instantiate makes a ready instance
// (in a fresh store, where the engine has stores) without resolving them again.
type InstancePre interface {
	Instantiate() (Instance, error)
	Close()
}

// BatchCaller is batch_crossing's capability: many Wasm calls made on the far side of
// one FFI call (what amortizing the cgo toll buys). An engine without one says why.
type BatchCaller interface {
	// BatchAdd looks add_numbers up for one call API and returns a function that calls
	// add_numbers(a+i, b) (wrapping) for i < k inside one FFI call, checks every sum on
	// the far side, and returns the last one.
	BatchAdd(api string) (func(k int, a, b int32) (int32, error), error)
}

// Instance is an instantiated guest. Each lookup checks the export's signature and
// returns a closure bound to one call API; look up once, call many times. A call
// that traps returns the engine's error.
type Instance interface {
	FuncV_V(name, api string) (func() error, error)
	FuncI_I(name, api string) (func(a int32) (int32, error), error)
	FuncII_I(name, api string) (func(a, b int32) (int32, error), error)
	FuncII_V(name, api string) (func(a, b int32) error, error)
	FuncIIII_V(name, api string) (func(a, b, c, d int32) error, error)
	FuncII_L(name, api string) (func(a, b int32) (int64, error), error)
	Memory() (Memory, error)
	Close()
}

// Memory is the guest's exported linear memory.
type Memory interface {
	// View is the engine's zero-copy view of all of linear memory. It is valid until
	// the memory grows: fetch it again after any guest call that may allocate.
	View() []byte
	// Write is the engine's explicit copy in: src to offset, bounds-checked.
	Write(offset uint32, src []byte) error
	// Read is the engine's explicit copy out: len(dst) bytes from offset into dst.
	Read(offset uint32, dst []byte) error
}

// Factory makes an Engine (a runtime) by name.
type Factory struct {
	Name string
	New  func() (Engine, error)
	// Delegate, when set, means this binary cannot host the runtime itself (see
	// wasmer_delegate.go); the driver hands the whole run to another binary.
	Delegate       bool
	BuildTags      string // go build -tags of the binary that hosts it (delegates only)
	DelegateSuffix string // that binary is named <this binary>-<suffix>
	// Build, when set, makes the delegate binary for one guest module (wasm2go: the
	// guest translated and linked in) and returns its path; progress goes to the writer.
	Build func(guestPath string, progress io.Writer) (string, error)
	Notes string
}

var factories = map[string]Factory{}

func register(f Factory) { factories[f.Name] = f }

// Factories lists the Wasm runtimes this binary knows, sorted by name.
func Factories() []Factory {
	out := make([]Factory, 0, len(factories))
	for _, f := range factories {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a Wasm runtime by name.
func Lookup(name string) (Factory, bool) {
	f, ok := factories[name]
	return f, ok
}

// moduleVersion is the version of a dependency as recorded in the build, e.g. "v1.12.0".
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "unknown"
}
