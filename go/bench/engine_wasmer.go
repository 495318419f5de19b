//go:build cgo && wasmer

package bench

import (
	"fmt"
	"runtime"

	"github.com/wasmerio/wasmer-go/wasmer"
)

// wasmer-go v1.0.4 (unmaintained; cgo over the libwasmer.so shipped inside the Go
// module, found through an rpath into the module cache). Built only with -tags wasmer,
// in a binary without wasmtime-go (see wasmer_delegate.go).
// Call API:
//   - call: Function.Call(args...) -> (interface{}, error); it goes through the
//           function's cached Native closure: arguments boxed in interface{}, converted
//           to wasm_val_t, one wasm_func_call over cgo, result boxed again.
// Memory APIs:
//   - view: Memory.Data() held as a []byte over linear memory (fetched again after
//           guest calls that may grow memory).
//   - copy: Memory.Data() fetched on every access (cgo calls for pointer and size),
//           bounds-checked, then copy() between it and the host's own buffer.
// Every closure keeps the Instance alive (runtime.KeepAlive): the Instance's finalizer
// would otherwise free the C instance while its functions are still being called.
// Start-up mitigations:
//   - deserialize: Module.Serialize once, then per op a fresh store,
//                  DeserializeModule(store, bytes) and env.host_inc in that store,
//                  exactly the work of Compile minus the compiling.
//   - instantiate_pre: not applicable; wasmer-go has no pre-linked instantiation.

const wasmerPath = "github.com/wasmerio/wasmer-go"

func init() {
	register(Factory{Name: "wasmer-go", New: newWasmer})
}

type wmEngine struct {
	engine *wasmer.Engine
	// A scenario file's host functions instead of env.host_inc (nil: env.host_inc), each
	// with its behaviour, shared by every store of this engine.
	imports []PluginImport
	respond []func() int64
}

// Relink implements Relinker: a scenario file's host functions (NewFunction, made in
// each module's store). WASI is not applicable: wasmer-go 1.0.4's WASI config inherits
// the host's stdin (its C API has no way to withhold it), so it cannot run a module with
// nothing granted.
func (e *wmEngine) Relink(imports []PluginImport, wasi bool) error {
	if wasi {
		return errNotApplicable{"no WASI implementation linked in this adapter: wasmer-go 1.0.4's WASI config " +
			"inherits the host's stdin (its C API has no way to withhold it), so it cannot run a module with nothing granted"}
	}
	e.imports, e.respond = imports, make([]func() int64, len(imports))
	for i, imp := range imports {
		e.respond[i] = hostFunc(imp)
	}
	if e.imports == nil {
		e.imports = []PluginImport{}
	}
	return nil
}

func newWasmer() (Engine, error) {
	return &wmEngine{engine: wasmer.NewEngine()}, nil
}

func (e *wmEngine) Info() RuntimeInfo {
	v := moduleVersion(wasmerPath)
	if v == "unknown" {
		v = WasmerGoVersion
	}
	return RuntimeInfo{
		Runtime:    "wasmer-go",
		Engine:     "wasmer",
		Version:    v,
		CallAPIs:   wasmerCallAPIs,
		MemoryAPIs: []string{"view", "copy"},
		FFI:        "cgo",
		DirectPath: "wasmer-capi",
		Notes:      wasmerNotes,
	}
}

func (e *wmEngine) Close() {}

func (e *wmEngine) Compile(wasm []byte) (Module, error) {
	// A module belongs to a store in wasmer-go; each compile gets its own store and
	// every instance of the module lives in that store (wasmer-go cannot move a module
	// to a fresh store).
	return e.inOwnStore(func(store *wasmer.Store) (*wasmer.Module, error) { return wasmer.NewModule(store, wasm) })
}

// inOwnStore makes a module with load in a store of its own, which the module's Close frees.
func (e *wmEngine) inOwnStore(load func(*wasmer.Store) (*wasmer.Module, error)) (Module, error) {
	store := wasmer.NewStore(e.engine)
	m, err := load(store)
	if err != nil {
		store.Close()
		return nil, err
	}
	return e.newWmModule(store, m), nil
}

// Serialize implements Serializer with wasmer's serialized-module format.
func (e *wmEngine) Serialize(m Module) ([]byte, error) {
	wm, ok := m.(*wmModule)
	if !ok {
		return nil, fmt.Errorf("serialize: %T is not a wasmer-go module", m)
	}
	return wm.m.Serialize()
}

// Deserialize implements Serializer. Like Compile, each module gets its own store (a
// wasmer-go module belongs to the store it is loaded into) with env.host_inc in it, and
// Close frees both, so the deserialize and compile rows do the same work but the
// compiling.
func (e *wmEngine) Deserialize(data []byte) (Module, error) {
	return e.inOwnStore(func(store *wasmer.Store) (*wasmer.Module, error) { return wasmer.DeserializeModule(store, data) })
}

// InstancePre implements PreLinker only to say why not.
func (e *wmEngine) InstancePre(Module) (InstancePre, error) {
	return nil, errNotApplicable{"wasmer-go has no pre-linked instantiation: NewInstance(module, imports) looks " +
		"every import of the module up by namespace and name in the ImportObject on each call " +
		"(ImportObject.intoInner), and neither wasmer-go nor the wasm.h API under it keeps that resolution"}
}

// newWmModule links env.host_inc, or a scenario file's host functions, into the module's store.
func (e *wmEngine) newWmModule(store *wasmer.Store, m *wasmer.Module) *wmModule {
	if e.imports != nil {
		return e.fileImports(store, m)
	}
	i32 := wasmer.NewValueTypes(wasmer.I32)
	hostInc := wasmer.NewFunction(store, wasmer.NewFunctionType(i32, wasmer.NewValueTypes(wasmer.I32)),
		func(args []wasmer.Value) ([]wasmer.Value, error) {
			return []wasmer.Value{wasmer.NewI32(HostIncValue(args[0].I32()))}, nil
		})
	imports := wasmer.NewImportObject()
	imports.Register("env", map[string]wasmer.IntoExtern{"host_inc": hostInc})
	return &wmModule{store: store, m: m, imports: imports}
}

// fileImports links a scenario file's host functions into the module's store.
func (e *wmEngine) fileImports(store *wasmer.Store, m *wasmer.Module) *wmModule {
	vt := func(ts []string) []*wasmer.ValueType {
		out := make([]*wasmer.ValueType, len(ts))
		for i, t := range ts {
			out[i] = wasmer.NewValueType(wasmer.I32)
			if t == "i64" {
				out[i] = wasmer.NewValueType(wasmer.I64)
			}
		}
		return out
	}
	byModule := map[string]map[string]wasmer.IntoExtern{}
	for i, imp := range e.imports {
		fn, results := e.respond[i], imp.Results
		f := wasmer.NewFunction(store, wasmer.NewFunctionType(vt(imp.Params), vt(results)),
			func([]wasmer.Value) ([]wasmer.Value, error) {
				v := fn()
				switch {
				case len(results) == 0:
					return nil, nil
				case results[0] == "i64":
					return []wasmer.Value{wasmer.NewI64(v)}, nil
				}
				return []wasmer.Value{wasmer.NewI32(int32(v))}, nil
			})
		if byModule[imp.Module] == nil {
			byModule[imp.Module] = map[string]wasmer.IntoExtern{}
		}
		byModule[imp.Module][imp.Name] = f
	}
	imports := wasmer.NewImportObject()
	for mod, fns := range byModule {
		imports.Register(mod, fns)
	}
	return &wmModule{store: store, m: m, imports: imports}
}

type wmModule struct {
	store   *wasmer.Store
	m       *wasmer.Module
	imports *wasmer.ImportObject
}

func (m *wmModule) Close() {
	m.m.Close()
	m.store.Close()
}

func (m *wmModule) Instantiate() (Instance, error) {
	inst, err := wasmer.NewInstance(m.m, m.imports)
	if err != nil {
		return nil, err
	}
	return &wmInstance{inst: inst}, nil
}

type wmInstance struct {
	inst *wasmer.Instance
}

func (in *wmInstance) Close() { in.inst.Close() }

// BatchAdd implements BatchCaller only to say why not.
func (in *wmInstance) BatchAdd(string) (func(int, int32, int32) (int32, error), error) {
	return nil, errNotApplicable{"wasmer-go has no batch entry: its Go API makes each Function.Call its own " +
		"set of cgo calls (wasmer-capi runs this scenario on the same engine through wasm.h)"}
}

func wmType(k wasmer.ValueKind) ValType {
	switch k {
	case wasmer.I32:
		return I32
	case wasmer.I64:
		return I64
	case wasmer.F32:
		return F32
	case wasmer.F64:
		return F64
	}
	return ValType(k.String())
}

func (in *wmInstance) lookup(name string, want Sig, api string) (*wasmer.Function, error) {
	if api != "call" {
		return nil, errAPI(api)
	}
	ext, err := in.inst.Exports.Get(name)
	if err != nil {
		return nil, errMissing(name)
	}
	if ext.Kind() != wasmer.FUNCTION {
		return nil, errNotFunc(name, ext.Kind().String())
	}
	f := ext.IntoFunction()
	ty := f.Type()
	var got Sig
	for _, p := range ty.Params() {
		got.Params = append(got.Params, wmType(p.Kind()))
	}
	for _, r := range ty.Results() {
		got.Results = append(got.Results, wmType(r.Kind()))
	}
	if !got.Equal(want) {
		return nil, errSig(name, got, want)
	}
	return f, nil
}

func (in *wmInstance) FuncV_V(name, api string) (func() error, error) {
	f, err := in.lookup(name, SigV_V, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func() error {
		_, err := f.Call()
		runtime.KeepAlive(inst)
		return err
	}, nil
}

func (in *wmInstance) FuncI_I(name, api string) (func(int32) (int32, error), error) {
	f, err := in.lookup(name, SigI_I, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func(a int32) (int32, error) {
		r, err := f.Call(a)
		runtime.KeepAlive(inst)
		if err != nil {
			return 0, err
		}
		return r.(int32), nil
	}, nil
}

func (in *wmInstance) FuncII_I(name, api string) (func(a, b int32) (int32, error), error) {
	f, err := in.lookup(name, SigII_I, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func(a, b int32) (int32, error) {
		r, err := f.Call(a, b)
		runtime.KeepAlive(inst)
		if err != nil {
			return 0, err
		}
		return r.(int32), nil
	}, nil
}

func (in *wmInstance) FuncII_V(name, api string) (func(a, b int32) error, error) {
	f, err := in.lookup(name, SigII_V, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func(a, b int32) error {
		_, err := f.Call(a, b)
		runtime.KeepAlive(inst)
		return err
	}, nil
}

func (in *wmInstance) FuncIIII_V(name, api string) (func(a, b, c, d int32) error, error) {
	f, err := in.lookup(name, SigIIII_V, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func(a, b, c, d int32) error {
		_, err := f.Call(a, b, c, d)
		runtime.KeepAlive(inst)
		return err
	}, nil
}

func (in *wmInstance) FuncII_L(name, api string) (func(a, b int32) (int64, error), error) {
	f, err := in.lookup(name, SigII_L, api)
	if err != nil {
		return nil, err
	}
	inst := in.inst
	return func(a, b int32) (int64, error) {
		r, err := f.Call(a, b)
		runtime.KeepAlive(inst)
		if err != nil {
			return 0, err
		}
		return r.(int64), nil
	}, nil
}

func (in *wmInstance) Memory() (Memory, error) {
	ext, err := in.inst.Exports.Get("memory")
	if err != nil {
		return nil, errMissing("memory")
	}
	if ext.Kind() != wasmer.MEMORY {
		return nil, &ExportError{Export: "memory", Msg: fmt.Sprintf("export memory is a %s, expected a memory", ext.Kind())}
	}
	return &wmMemory{inst: in.inst, m: ext.IntoMemory()}, nil
}

type wmMemory struct {
	inst *wasmer.Instance
	m    *wasmer.Memory
}

func (w *wmMemory) View() []byte { return w.m.Data() }

func (w *wmMemory) Write(off uint32, src []byte) error {
	d := w.m.Data()
	if uint64(off)+uint64(len(src)) > uint64(len(d)) {
		return fmt.Errorf("memory write of %d bytes at %d out of bounds (%d bytes)", len(src), off, len(d))
	}
	copy(d[off:], src)
	runtime.KeepAlive(w.inst)
	return nil
}

func (w *wmMemory) Read(off uint32, dst []byte) error {
	d := w.m.Data()
	if uint64(off)+uint64(len(dst)) > uint64(len(d)) {
		return fmt.Errorf("memory read of %d bytes at %d out of bounds (%d bytes)", len(dst), off, len(d))
	}
	copy(dst, d[off:])
	runtime.KeepAlive(w.inst)
	return nil
}
