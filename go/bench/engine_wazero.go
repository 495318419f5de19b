package bench

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// wazero (pure Go). Two runtimes: "wazero:compiler" (ahead-of-time compiler to native
// code) and "wazero:interpreter". Call APIs:
//   - call:            api.Function.Call(ctx, params...) -> ([]uint64, error); it allocates
//                      its results slice on every call.
//   - call_with_stack: api.Function.CallWithStack(ctx, stack) with a stack preallocated
//                      once at lookup time (params in, results out).
// Memory APIs:
//   - view: api.Memory.Read(0, Size()) returns a slice aliasing linear memory (no copy);
//           the host copies into/out of it with copy().
//   - copy: api.Memory.Write(offset, src) to copy in; Memory.Read(offset, n) followed by
//           copy() into the host's buffer to copy out (wazero has no read-into call), each
//           bounds-checked by wazero on every access.
// env.host_inc is a GoModuleFunc (the stack-based, reflection-free host function API).
// Start-up mitigations: neither applies (see Serialize and InstancePre for why).

const wazeroPath = "github.com/tetratelabs/wazero"

func init() {
	register(Factory{Name: "wazero:compiler", New: func() (Engine, error) {
		return newWazero("wazero:compiler", wazero.NewRuntimeConfigCompiler())
	}})
	register(Factory{Name: "wazero:interpreter", New: func() (Engine, error) {
		return newWazero("wazero:interpreter", wazero.NewRuntimeConfigInterpreter())
	}})
}

type wzEngine struct {
	name string
	ctx  context.Context
	rt   wazero.Runtime
	cfg  wazero.RuntimeConfig
	wasi bool
}

func newWazero(name string, cfg wazero.RuntimeConfig) (Engine, error) {
	ctx := context.Background()
	if InterruptAfter() > 0 {
		// Only under the capability probes: a call whose context expires is stopped.
		cfg = cfg.WithCloseOnContextDone(true)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg.WithMemoryLimitPages(memoryLimitPages()))
	_, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
			stack[0] = uint64(uint32(HostIncValue(int32(uint32(stack[0])))))
		}), []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("host_inc").
		Instantiate(ctx)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("link env.host_inc: %w", err)
	}
	return &wzEngine{name: name, ctx: ctx, rt: rt, cfg: cfg}, nil
}

// Relink implements Relinker: a fresh runtime with a scenario file's host functions
// (GoModuleFuncs, one host module per import module) and, with wasi, wazero's own
// wasi_snapshot_preview1 (no filesystem, environment, arguments or network: the
// ModuleConfig grants none).
func (e *wzEngine) Relink(imports []PluginImport, wasi bool) error {
	rt := wazero.NewRuntimeWithConfig(e.ctx, e.cfg)
	vt := func(ts []string) []api.ValueType {
		out := make([]api.ValueType, len(ts))
		for i, t := range ts {
			out[i] = api.ValueTypeI32
			if t == "i64" {
				out[i] = api.ValueTypeI64
			}
		}
		return out
	}
	builders := map[string]wazero.HostModuleBuilder{}
	var order []string
	for _, imp := range imports {
		b, ok := builders[imp.Module]
		if !ok {
			b = rt.NewHostModuleBuilder(imp.Module)
			order = append(order, imp.Module)
		}
		fn, i32 := hostFunc(imp), len(imp.Results) == 1 && imp.Results[0] == "i32"
		hasResult := len(imp.Results) == 1
		builders[imp.Module] = b.NewFunctionBuilder().
			WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
				v := fn()
				if i32 {
					stack[0] = uint64(uint32(int32(v)))
				} else if hasResult {
					stack[0] = uint64(v)
				}
			}), vt(imp.Params), vt(imp.Results)).
			Export(imp.Name)
	}
	for _, m := range order {
		if _, err := builders[m].Instantiate(e.ctx); err != nil {
			rt.Close(e.ctx)
			return fmt.Errorf("link the host module %s: %w", m, err)
		}
	}
	if wasi {
		if _, err := wasi_snapshot_preview1.Instantiate(e.ctx, rt); err != nil {
			rt.Close(e.ctx)
			return fmt.Errorf("link wasi_snapshot_preview1: %w", err)
		}
	}
	e.rt.Close(e.ctx)
	e.rt, e.wasi = rt, wasi
	return nil
}

func (e *wzEngine) Info() RuntimeInfo {
	mode := "compiler"
	if e.name == "wazero:interpreter" {
		mode = "interpreter"
	}
	return RuntimeInfo{
		Runtime:    e.name,
		Engine:     "wazero",
		Version:    moduleVersion(wazeroPath),
		CallAPIs:   []string{"call", "call_with_stack"},
		MemoryAPIs: []string{"view", "copy"},
		Notes: "pure Go, " + mode + " mode; no stores: instantiate = an anonymous module in the runtime " +
			"(env linked once per runtime); view = Memory.Read (aliases memory), copy = Memory.Write / Read+copy",
	}
}

func (e *wzEngine) Close() { e.rt.Close(e.ctx) }

func (e *wzEngine) Compile(wasm []byte) (Module, error) {
	cm, err := e.rt.CompileModule(e.ctx, wasm)
	if err != nil {
		return nil, err
	}
	return &wzModule{e: e, cm: cm}, nil
}

// Serialize implements Serializer only to say why wazero has no serialized modules.
func (e *wzEngine) Serialize(Module) ([]byte, error) {
	reason := "wazero has no serialized modules (no API loads compiled code from bytes); its start-up " +
		"mitigation is wazero.CompilationCache: NewCompilationCache only shares compiled modules in memory " +
		"between runtimes (a lookup by the wasm's SHA-256, not a load), and NewCompilationCacheWithDir "
	if e.name == "wazero:interpreter" {
		reason += "stores nothing for the interpreter"
	} else {
		reason += "makes each CompileModule decode and validate the wasm again, then read the native code " +
			"from a file in its directory: not a module loaded from bytes"
	}
	return nil, errNotApplicable{reason}
}

// Deserialize implements Serializer only to say why not.
func (e *wzEngine) Deserialize([]byte) (Module, error) {
	_, err := e.Serialize(nil)
	return nil, err
}

// InstancePre implements PreLinker only to say why wazero has no such step.
func (e *wzEngine) InstancePre(Module) (InstancePre, error) {
	return nil, errNotApplicable{"wazero has no pre-linked instantiation: InstantiateModule resolves every " +
		"import by module and export name against the runtime's namespace on each call, and no API keeps " +
		"that resolution (experimental.WithImportResolver only changes where the module is looked up)"}
}

type wzModule struct {
	e  *wzEngine
	cm wazero.CompiledModule
}

func (m *wzModule) Close() { m.cm.Close(m.e.ctx) }

func (m *wzModule) Instantiate() (Instance, error) {
	cfg := wazero.NewModuleConfig().WithName("")
	if m.e.wasi {
		// A reactor's _initialize is run by the scenario-file runner, as on every engine.
		cfg = cfg.WithStartFunctions()
	}
	mod, err := m.e.rt.InstantiateModule(m.e.ctx, m.cm, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := m.e.ctx, context.CancelFunc(func() {})
	if d := InterruptAfter(); d > 0 {
		// Only under the capability probes: this instance's calls stop d after it was made.
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	return &wzInstance{ctx: ctx, cancel: cancel, cm: m.cm, mod: mod}, nil
}

type wzInstance struct {
	ctx    context.Context
	cancel context.CancelFunc
	cm     wazero.CompiledModule
	mod    api.Module
}

func (in *wzInstance) Close() { in.mod.Close(in.ctx); in.cancel() }

// BatchAdd implements BatchCaller only to say why not.
func (in *wzInstance) BatchAdd(string) (func(int, int32, int32) (int32, error), error) {
	return nil, errNotApplicable{"wazero is pure Go: a call into Wasm crosses no cgo boundary, so there is " +
		"no FFI toll for a batch of calls to amortize (batch_add is the guest-side batch)"}
}

func wzType(t api.ValueType) ValType {
	switch t {
	case api.ValueTypeI32:
		return I32
	case api.ValueTypeI64:
		return I64
	case api.ValueTypeF32:
		return F32
	case api.ValueTypeF64:
		return F64
	}
	return ValType(api.ValueTypeName(t))
}

func wzSig(d api.FunctionDefinition) Sig {
	var s Sig
	for _, t := range d.ParamTypes() {
		s.Params = append(s.Params, wzType(t))
	}
	for _, t := range d.ResultTypes() {
		s.Results = append(s.Results, wzType(t))
	}
	return s
}

// lookup finds the export, checks its signature and returns it with a stack big enough
// for CallWithStack.
func (in *wzInstance) lookup(name string, want Sig, apiName string) (api.Function, []uint64, error) {
	if apiName != "call" && apiName != "call_with_stack" {
		return nil, nil, errAPI(apiName)
	}
	f := in.mod.ExportedFunction(name)
	if f == nil {
		if _, ok := in.cm.ExportedMemories()[name]; ok {
			return nil, nil, errNotFunc(name, "memory")
		}
		return nil, nil, errMissing(name)
	}
	if got := wzSig(f.Definition()); !got.Equal(want) {
		return nil, nil, errSig(name, got, want)
	}
	n := len(want.Params)
	if len(want.Results) > n {
		n = len(want.Results)
	}
	if n == 0 {
		n = 1
	}
	return f, make([]uint64, n), nil
}

func u(x int32) uint64 { return uint64(uint32(x)) }

func (in *wzInstance) FuncV_V(name, apiName string) (func() error, error) {
	f, stack, err := in.lookup(name, SigV_V, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func() error { _, err := f.Call(ctx); return err }, nil
	}
	return func() error { return f.CallWithStack(ctx, stack) }, nil
}

func (in *wzInstance) FuncI_I(name, apiName string) (func(int32) (int32, error), error) {
	f, stack, err := in.lookup(name, SigI_I, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func(a int32) (int32, error) {
			r, err := f.Call(ctx, u(a))
			if err != nil {
				return 0, err
			}
			return int32(uint32(r[0])), nil
		}, nil
	}
	return func(a int32) (int32, error) {
		stack[0] = u(a)
		err := f.CallWithStack(ctx, stack)
		return int32(uint32(stack[0])), err
	}, nil
}

func (in *wzInstance) FuncII_I(name, apiName string) (func(a, b int32) (int32, error), error) {
	f, stack, err := in.lookup(name, SigII_I, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func(a, b int32) (int32, error) {
			r, err := f.Call(ctx, u(a), u(b))
			if err != nil {
				return 0, err
			}
			return int32(uint32(r[0])), nil
		}, nil
	}
	return func(a, b int32) (int32, error) {
		stack[0], stack[1] = u(a), u(b)
		err := f.CallWithStack(ctx, stack)
		return int32(uint32(stack[0])), err
	}, nil
}

func (in *wzInstance) FuncII_V(name, apiName string) (func(a, b int32) error, error) {
	f, stack, err := in.lookup(name, SigII_V, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func(a, b int32) error { _, err := f.Call(ctx, u(a), u(b)); return err }, nil
	}
	return func(a, b int32) error {
		stack[0], stack[1] = u(a), u(b)
		return f.CallWithStack(ctx, stack)
	}, nil
}

func (in *wzInstance) FuncIIII_V(name, apiName string) (func(a, b, c, d int32) error, error) {
	f, stack, err := in.lookup(name, SigIIII_V, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func(a, b, c, d int32) error { _, err := f.Call(ctx, u(a), u(b), u(c), u(d)); return err }, nil
	}
	return func(a, b, c, d int32) error {
		stack[0], stack[1], stack[2], stack[3] = u(a), u(b), u(c), u(d)
		return f.CallWithStack(ctx, stack)
	}, nil
}

func (in *wzInstance) FuncII_L(name, apiName string) (func(a, b int32) (int64, error), error) {
	f, stack, err := in.lookup(name, SigII_L, apiName)
	if err != nil {
		return nil, err
	}
	ctx := in.ctx
	if apiName == "call" {
		return func(a, b int32) (int64, error) {
			r, err := f.Call(ctx, u(a), u(b))
			if err != nil {
				return 0, err
			}
			return int64(r[0]), nil
		}, nil
	}
	return func(a, b int32) (int64, error) {
		stack[0], stack[1] = u(a), u(b)
		err := f.CallWithStack(ctx, stack)
		return int64(stack[0]), err
	}, nil
}

func (in *wzInstance) Memory() (Memory, error) {
	m := in.mod.ExportedMemory("memory")
	if m == nil {
		if _, ok := in.cm.ExportedFunctions()["memory"]; ok {
			return nil, &ExportError{Export: "memory", Msg: "export memory is a function, expected a memory"}
		}
		return nil, errMissing("memory")
	}
	return wzMemory{m}, nil
}

type wzMemory struct{ m api.Memory }

// View is empty for a memory of 65536 pages (4 GiB): wazero's Size and Read take 32-bit
// lengths, so no view covers it (the copy API still works); MaxMemoryBytes keeps memories
// below that unless --max-memory-mib is 4096.
func (w wzMemory) View() []byte {
	b, _ := w.m.Read(0, w.m.Size())
	return b
}

func (w wzMemory) Write(off uint32, src []byte) error {
	if !w.m.Write(off, src) {
		return fmt.Errorf("memory write of %d bytes at %d out of bounds", len(src), off)
	}
	return nil
}

func (w wzMemory) Read(off uint32, dst []byte) error {
	b, ok := w.m.Read(off, uint32(len(dst)))
	if !ok {
		return fmt.Errorf("memory read of %d bytes at %d out of bounds", len(dst), off)
	}
	copy(dst, b)
	return nil
}
