//go:build cgo && !wasmer

package bench

import (
	"fmt"
	"runtime"
	"time"

	wasmtime "github.com/bytecodealliance/wasmtime-go/v39"
)

// wasmtime-go (cgo over wasmtime's C API, static library shipped in the module).
// Call API:
//   - call: Func.Call(store, args...) -> (interface{}, error), the seed's path: each call
//           reads the function type over cgo, boxes arguments and results, then enters
//           wasm through one more cgo call. wasmtime-go has no typed or unchecked call.
// Memory APIs (wasmtime-go has no Memory.Read/Write):
//   - view: Memory.UnsafeData(store) fetched once and held as a []byte over linear
//           memory; fetched again after guest calls that may grow memory.
//   - copy: the explicit per-access path: UnsafeData(store) is fetched on every access
//           (two cgo calls: data pointer and size), bounds-checked, then copy() between
//           it and the host's own buffer (reused, not allocated per op).
// env.host_inc is defined with Linker.FuncNew (no reflection); each wasm->Go call is a
// cgo callback.
// Start-up mitigations:
//   - deserialize: Module.Serialize once, then NewModuleDeserialize(engine, bytes) per
//                  op (wasmtime's own precompiled format: no validation, no codegen).
//   - instantiate_pre: not applicable; wasmtime-go has no binding for InstancePre.

const wasmtimePath = "github.com/bytecodealliance/wasmtime-go/v39"

func init() {
	register(Factory{Name: "wasmtime-go", New: newWasmtime})
}

type wtEngine struct {
	engine *wasmtime.Engine
	linker *wasmtime.Linker
	wasi   bool
	// stop ends the epoch ticker of the capability probes (nil without one).
	stop chan struct{}
}

// Relink implements Relinker: a fresh linker with a scenario file's host functions
// (Linker.FuncNew) and, with wasi, wasmtime's WASI (Linker.DefineWasi; each store gets an
// empty WasiConfig: no filesystem, environment, arguments or network).
func (e *wtEngine) Relink(imports []PluginImport, wasi bool) error {
	linker := wasmtime.NewLinker(e.engine)
	vt := func(ts []string) []*wasmtime.ValType {
		out := make([]*wasmtime.ValType, len(ts))
		for i, t := range ts {
			out[i] = wasmtime.NewValType(wasmtime.KindI32)
			if t == "i64" {
				out[i] = wasmtime.NewValType(wasmtime.KindI64)
			}
		}
		return out
	}
	for _, imp := range imports {
		fn, results := hostFunc(imp), imp.Results
		err := linker.FuncNew(imp.Module, imp.Name, wasmtime.NewFuncType(vt(imp.Params), vt(results)),
			func(_ *wasmtime.Caller, _ []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
				v := fn()
				switch {
				case len(results) == 0:
					return nil, nil
				case results[0] == "i64":
					return []wasmtime.Val{wasmtime.ValI64(v)}, nil
				}
				return []wasmtime.Val{wasmtime.ValI32(int32(v))}, nil
			})
		if err != nil {
			linker.Close()
			return fmt.Errorf("link %s.%s: %w", imp.Module, imp.Name, err)
		}
	}
	if wasi {
		if err := linker.DefineWasi(); err != nil {
			linker.Close()
			return fmt.Errorf("link WASI: %w", err)
		}
	}
	e.linker.Close()
	e.linker, e.wasi = linker, wasi
	return nil
}

func newWasmtime() (Engine, error) {
	engine := wasmtime.NewEngine()
	var stop chan struct{}
	if d := InterruptAfter(); d > 0 {
		// Only under the capability probes: epoch interruption, the epoch advanced every d
		// by a goroutine of its own, so a guest that never returns traps from inside.
		cfg := wasmtime.NewConfig()
		cfg.SetEpochInterruption(true)
		engine = wasmtime.NewEngineWithConfig(cfg)
		stop = make(chan struct{})
		go func() {
			tick := time.NewTicker(d)
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					engine.IncrementEpoch()
				case <-stop:
					return
				}
			}
		}()
	}
	linker := wasmtime.NewLinker(engine)
	i32 := wasmtime.NewValType(wasmtime.KindI32)
	ty := wasmtime.NewFuncType([]*wasmtime.ValType{i32}, []*wasmtime.ValType{i32})
	err := linker.FuncNew("env", "host_inc", ty, func(_ *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
		return []wasmtime.Val{wasmtime.ValI32(HostIncValue(args[0].I32()))}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("link env.host_inc: %w", err)
	}
	return &wtEngine{engine: engine, linker: linker, stop: stop}, nil
}

func (e *wtEngine) Info() RuntimeInfo {
	return RuntimeInfo{
		Runtime:    "wasmtime-go",
		Engine:     "wasmtime",
		Version:    moduleVersion(wasmtimePath),
		CallAPIs:   []string{"call"},
		MemoryAPIs: []string{"view", "copy"},
		FFI:        "cgo",
		DirectPath: "wasmtime-capi",
		Notes: "cgo; call = Func.Call (the seed's path, the only call API wasmtime-go has); " +
			"view = UnsafeData held, copy = UnsafeData fetched per access then copy(); allocs_per_op misses C-side allocations",
	}
}

func (e *wtEngine) Close() {
	e.linker.Close()
	if e.stop != nil {
		close(e.stop)
		e.stop = nil
	}
}

func (e *wtEngine) Compile(wasm []byte) (Module, error) {
	m, err := wasmtime.NewModule(e.engine, wasm)
	if err != nil {
		return nil, err
	}
	return &wtModule{e: e, m: m}, nil
}

// Serialize implements Serializer with wasmtime's precompiled-module format.
func (e *wtEngine) Serialize(m Module) ([]byte, error) {
	wm, ok := m.(*wtModule)
	if !ok {
		return nil, fmt.Errorf("serialize: %T is not a wasmtime-go module", m)
	}
	return wm.m.Serialize()
}

// Deserialize implements Serializer: bytes from Serialize back to a module, closed as
// Compile's are.
func (e *wtEngine) Deserialize(data []byte) (Module, error) {
	m, err := wasmtime.NewModuleDeserialize(e.engine, data)
	if err != nil {
		return nil, err
	}
	return &wtModule{e: e, m: m}, nil
}

// InstancePre implements PreLinker only to say why not.
func (e *wtEngine) InstancePre(Module) (InstancePre, error) {
	return nil, errNotApplicable{"wasmtime-go " + moduleVersion(wasmtimePath) + " has no binding for InstancePre: " +
		"the C API it links has wasmtime_linker_instantiate_pre and wasmtime_instance_pre_instantiate, " +
		"but the Go package wraps only Linker.Instantiate, which resolves the imports again on every call"}
}

type wtModule struct {
	e *wtEngine
	m *wasmtime.Module
}

func (m *wtModule) Close() { m.m.Close() }

func (m *wtModule) Instantiate() (Instance, error) {
	store := wasmtime.NewStore(m.e.engine)
	// Memory growth held to MaxMemoryBytes (the other limits keep their defaults).
	store.Limiter(int64(MaxMemoryBytes), -1, -1, -1, -1)
	if InterruptAfter() > 0 {
		store.SetEpochDeadline(1)
	}
	if m.e.wasi {
		store.SetWasi(wasmtime.NewWasiConfig())
	}
	inst, err := m.e.linker.Instantiate(store, m.m)
	if err != nil {
		store.Close()
		return nil, err
	}
	return &wtInstance{store: store, inst: inst}, nil
}

type wtInstance struct {
	store *wasmtime.Store
	inst  *wasmtime.Instance
}

// BatchAdd implements BatchCaller only to say why not.
func (in *wtInstance) BatchAdd(string) (func(int, int32, int32) (int32, error), error) {
	return nil, errNotApplicable{"wasmtime-go has no batch entry: its Go API makes each Func.Call its own " +
		"crossing (about ten cgo calls), so k calls cost k tolls; wasmtime-capi runs this scenario on the " +
		"same engine through the C API"}
}

func (in *wtInstance) Close() { in.store.Close() }

func wtType(k wasmtime.ValKind) ValType {
	switch k {
	case wasmtime.KindI32:
		return I32
	case wasmtime.KindI64:
		return I64
	case wasmtime.KindF32:
		return F32
	case wasmtime.KindF64:
		return F64
	}
	return ValType(k.String())
}

func (in *wtInstance) lookup(name string, want Sig, api string) (*wasmtime.Func, error) {
	if api != "call" {
		return nil, errAPI(api)
	}
	ext := in.inst.GetExport(in.store, name)
	if ext == nil {
		return nil, errMissing(name)
	}
	f := ext.Func()
	if f == nil {
		kind := "non-function"
		if ext.Memory() != nil {
			kind = "memory"
		}
		return nil, errNotFunc(name, kind)
	}
	ty := f.Type(in.store)
	var got Sig
	for _, p := range ty.Params() {
		got.Params = append(got.Params, wtType(p.Kind()))
	}
	for _, r := range ty.Results() {
		got.Results = append(got.Results, wtType(r.Kind()))
	}
	if !got.Equal(want) {
		return nil, errSig(name, got, want)
	}
	return f, nil
}

func (in *wtInstance) FuncV_V(name, api string) (func() error, error) {
	f, err := in.lookup(name, SigV_V, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func() error { _, err := f.Call(s); return err }, nil
}

func (in *wtInstance) FuncI_I(name, api string) (func(int32) (int32, error), error) {
	f, err := in.lookup(name, SigI_I, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func(a int32) (int32, error) {
		r, err := f.Call(s, a)
		if err != nil {
			return 0, err
		}
		return r.(int32), nil
	}, nil
}

func (in *wtInstance) FuncII_I(name, api string) (func(a, b int32) (int32, error), error) {
	f, err := in.lookup(name, SigII_I, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func(a, b int32) (int32, error) {
		r, err := f.Call(s, a, b)
		if err != nil {
			return 0, err
		}
		return r.(int32), nil
	}, nil
}

func (in *wtInstance) FuncII_V(name, api string) (func(a, b int32) error, error) {
	f, err := in.lookup(name, SigII_V, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func(a, b int32) error { _, err := f.Call(s, a, b); return err }, nil
}

func (in *wtInstance) FuncIIII_V(name, api string) (func(a, b, c, d int32) error, error) {
	f, err := in.lookup(name, SigIIII_V, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func(a, b, c, d int32) error { _, err := f.Call(s, a, b, c, d); return err }, nil
}

func (in *wtInstance) FuncII_L(name, api string) (func(a, b int32) (int64, error), error) {
	f, err := in.lookup(name, SigII_L, api)
	if err != nil {
		return nil, err
	}
	s := in.store
	return func(a, b int32) (int64, error) {
		r, err := f.Call(s, a, b)
		if err != nil {
			return 0, err
		}
		return r.(int64), nil
	}, nil
}

func (in *wtInstance) Memory() (Memory, error) {
	ext := in.inst.GetExport(in.store, "memory")
	if ext == nil {
		return nil, errMissing("memory")
	}
	m := ext.Memory()
	if m == nil {
		return nil, &ExportError{Export: "memory", Msg: "export memory is not a memory"}
	}
	return &wtMemory{store: in.store, m: m}, nil
}

type wtMemory struct {
	store *wasmtime.Store
	m     *wasmtime.Memory
}

func (w *wtMemory) View() []byte { return w.m.UnsafeData(w.store) }

func (w *wtMemory) Write(off uint32, src []byte) error {
	d := w.m.UnsafeData(w.store)
	if uint64(off)+uint64(len(src)) > uint64(len(d)) {
		return fmt.Errorf("memory write of %d bytes at %d out of bounds (%d bytes)", len(src), off, len(d))
	}
	copy(d[off:], src)
	runtime.KeepAlive(w.m)
	return nil
}

func (w *wtMemory) Read(off uint32, dst []byte) error {
	d := w.m.UnsafeData(w.store)
	if uint64(off)+uint64(len(dst)) > uint64(len(d)) {
		return fmt.Errorf("memory read of %d bytes at %d out of bounds (%d bytes)", len(dst), off, len(d))
	}
	copy(dst, d[off:])
	runtime.KeepAlive(w.m)
	return nil
}
