//go:build cgo && !wasmer

package bench

/*
#include <stdlib.h>
#include "wasmtime_capi.h"

// The Go stack buffer of unchecked_nocallback is only read and written during the call
// (noescape), and the call never re-enters Go (nocallback; host_inc traps instead).
#cgo noescape interop_wt_call_unchecked_nocb
#cgo nocallback interop_wt_call_unchecked_nocb
#cgo nocallback interop_wt_batch_add_unchecked_nocb
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// wasmtime-capi: the direct path from Go to wasmtime. The same engine as wasmtime-go,
// reached through wasmtime's C API with no Go binding in between: this package's C code
// (engine_wasmtime_capi.c) calls the libwasmtime.a that wasmtime-go v39.0.1 links into
// the binary (one copy of wasmtime; the symbols resolve at the final link, so this file
// needs wasmtime-go imported, which engine_wasmtime.go does under the same build tags).
//
// How it reaches the C API: a plain `go build` cannot point the C compiler at the headers
// in the module cache, so wasmtime_capi.h declares the few types and prototypes used,
// copied from wasmtime-go's build/include; capi_test.go compiles them after the
// real <wasmtime.h> (a differing prototype is a compile error) and compares every size,
// offset and constant used. The engine, linker, modules, stores and instances are this
// adapter's own C objects, not wasmtime-go's: wasmtime-go keeps its C pointers in
// unexported fields (reaching them with reflect/unsafe would tie this file to another
// package's private layout) and wraps them in finalizers and a global mutex that the
// direct path exists to leave out.
//
// Call APIs (an export is looked up once: its signature checked with wasmtime_func_type,
// its wasmtime_func_t, the store's context and its value buffers put in one C struct):
//   - unchecked:  wasmtime_func_call_unchecked on a wasmtime_val_raw_t buffer in C memory,
//                 allocated at lookup and reused; Go writes the arguments into it and
//                 reads the results from it; exactly one cgo call per Wasm call.
//   - checked:    wasmtime_func_call on wasmtime_val_t arrays in C memory whose kinds are
//                 set at lookup (wasmtime checks them against the function's type on
//                 every call); one cgo call per Wasm call.
//   - unchecked_nocallback: wasmtime_func_call_unchecked on a buffer on the Go stack,
//                 through a C wrapper annotated `#cgo noescape` (the buffer stays on the
//                 stack) and `#cgo nocallback` (the C function never calls back into Go).
//                 Not applicable to call_host (host_import), which calls back into Go by
//                 design; any other guest call into host_inc during such a call traps
//                 with a message instead of a runtime panic that kills the process.
// Memory APIs:
//   - view: wasmtime_memory_data / wasmtime_memory_data_size as a []byte over linear
//           memory, fetched again after guest calls that may grow memory.
//   - copy: as wasmtime-go's adapter: pointer and size fetched on every access (two cgo
//           calls), bounds-checked, then copy().
// env.host_inc is defined with wasmtime_linker_define_func_unchecked: a C callback that
// calls the exported Go function interopWtHostInc (one C->Go crossing per guest call).
// batch_crossing: one cgo call makes k add_numbers calls in a C loop (unchecked, checked
// or the nocallback wrapper), each result checked in C; a wrong sum or a trap is
// reported with the index of the call.
// Start-up mitigations: deserialize (wasmtime_module_serialize once,
// wasmtime_module_deserialize per op) and instantiate_pre (wasmtime_linker_instantiate_pre
// once, wasmtime_instance_pre_instantiate per op in a fresh store), which the C API has
// and wasmtime-go does not bind.

func init() {
	register(Factory{Name: "wasmtime-capi", New: newCapi})
}

const capiNoCallbackAPI = "unchecked_nocallback"

//export interopWtHostInc
func interopWtHostInc(x C.int32_t) C.int32_t { return C.int32_t(HostIncValue(int32(x))) }

// capiError turns a wasmtime error or trap (either may be nil) into a Go error with the
// engine's message, and frees both.
func capiError(err *C.wasmtime_error_t, trap *C.wasm_trap_t) error {
	var msgs []string
	var vec C.wasm_byte_vec_t
	if err != nil {
		C.wasmtime_error_message(err, &vec)
		msgs = append(msgs, C.GoStringN(vec.data, C.int(vec.size)))
		C.wasm_byte_vec_delete(&vec)
		C.wasmtime_error_delete(err)
	}
	if trap != nil {
		C.wasm_trap_message(trap, &vec)
		msgs = append(msgs, strings.TrimRight(C.GoStringN(vec.data, C.int(vec.size)), "\x00"))
		C.wasm_byte_vec_delete(&vec)
		C.wasm_trap_delete(trap)
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// capiFailure takes the error or trap a failed call left in f.
// handle passes a C-allocated call record to C as an integer. A pointer argument would
// make cgo check on every call whether it points into Go memory (cgocheck: runtime
// cgoCheckPointer, cgoIsGoPointer, inHeapOrStack, about 115 instructions a call under
// callgrind, a fifth of the whole direct call); the record is C memory, never moved or
// collected by Go, so the integer is safe.
func handle(f *C.interop_wt_fn) C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(f))) }

func capiFailure(f *C.interop_wt_fn) error {
	err := capiError(f.err, f.trap)
	f.err, f.trap = nil, nil
	if err == nil {
		err = errors.New("the call failed without an error or trap")
	}
	return err
}

func rawI32(v *C.wasmtime_val_raw_t) *int32 { return (*int32)(unsafe.Pointer(v)) }
func rawI64(v *C.wasmtime_val_raw_t) *int64 { return (*int64)(unsafe.Pointer(v)) }
func valI32(v *C.wasmtime_val_t) *int32     { return (*int32)(unsafe.Pointer(&v.of)) }
func valI64(v *C.wasmtime_val_t) *int64     { return (*int64)(unsafe.Pointer(&v.of)) }

// bytesPtr is data's first byte for C (nil for an empty slice).
func bytesPtr(data []byte) *C.uint8_t {
	if len(data) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&data[0]))
}

type capiEngine struct {
	engine *C.wasm_engine_t
	linker *C.wasmtime_linker_t
	// stop ends the epoch ticker of the capability probes (nil without one).
	stop chan struct{}
	done chan struct{}
	wasi bool // every store gets an empty WASI config (the linker has wasmtime's WASI)
}

// Relink implements Relinker: a fresh linker with a scenario file's host functions (C
// callbacks, interop_wt_define_import: the behaviour runs in C, no call into Go) and,
// with wasi, wasmtime's WASI (wasmtime_linker_define_wasi; each store gets an empty
// wasi_config_new: no filesystem, environment, arguments or network), as wasmtime-go's
// DefineWasi does, through the same libwasmtime.a.
func (e *capiEngine) Relink(imports []PluginImport, wasi bool) error {
	linker := C.wasmtime_linker_new(e.engine)
	kinds := func(ts []string) []C.uint8_t {
		out := make([]C.uint8_t, len(ts)+1) // never empty: C takes its first element's address
		for i, t := range ts {
			out[i] = C.WASM_I32
			if t == "i64" {
				out[i] = C.WASM_I64
			}
		}
		return out
	}
	for _, imp := range imports {
		mod, name := C.CString(imp.Module), C.CString(imp.Name)
		p, r := kinds(imp.Params), kinds(imp.Results)
		count := C.int(0)
		if imp.Behaviour == "count" {
			count = 1
		}
		err := capiError(C.interop_wt_define_import(linker, mod, C.size_t(len(imp.Module)), name, C.size_t(len(imp.Name)),
			&p[0], C.size_t(len(imp.Params)), &r[0], C.size_t(len(imp.Results)), count, C.int64_t(imp.Value)), nil)
		C.free(unsafe.Pointer(mod))
		C.free(unsafe.Pointer(name))
		if err != nil {
			C.wasmtime_linker_delete(linker)
			return fmt.Errorf("link %s.%s: %w", imp.Module, imp.Name, err)
		}
	}
	if wasi {
		if err := capiError(C.wasmtime_linker_define_wasi(linker), nil); err != nil {
			C.wasmtime_linker_delete(linker)
			return fmt.Errorf("link WASI: %w", err)
		}
	}
	C.wasmtime_linker_delete(e.linker)
	e.linker, e.wasi = linker, wasi
	return nil
}

func newCapi() (Engine, error) {
	e := &capiEngine{}
	d := InterruptAfter()
	if d > 0 {
		// Only under the capability probes: epoch interruption, the epoch advanced every d
		// by a goroutine of its own (the store's deadline is one tick, set per store).
		cfg := C.wasm_config_new()
		C.wasmtime_config_epoch_interruption_set(cfg, true)
		e.engine = C.wasm_engine_new_with_config(cfg)
	} else {
		e.engine = C.wasm_engine_new()
	}
	if e.engine == nil {
		return nil, errors.New("wasm_engine_new returned NULL")
	}
	if d > 0 {
		e.stop, e.done = make(chan struct{}), make(chan struct{})
		go func(engine *C.wasm_engine_t) {
			defer close(e.done)
			tick := time.NewTicker(d)
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					C.wasmtime_engine_increment_epoch(engine)
				case <-e.stop:
					return
				}
			}
		}(e.engine)
	}
	e.linker = C.wasmtime_linker_new(e.engine)
	if err := capiError(C.interop_wt_define_host_inc(e.linker), nil); err != nil {
		e.Close()
		return nil, fmt.Errorf("link env.host_inc: %w", err)
	}
	return e, nil
}

func (e *capiEngine) Info() RuntimeInfo {
	return RuntimeInfo{
		Runtime:    "wasmtime-capi",
		Engine:     "wasmtime",
		Version:    moduleVersion(wasmtimePath),
		CallAPIs:   []string{"unchecked", "checked", capiNoCallbackAPI},
		MemoryAPIs: []string{"view", "copy"},
		FFI:        "cgo",
		Notes: "cgo straight to wasmtime's C API (the libwasmtime.a of wasmtime-go, no Go binding): " +
			"unchecked = wasmtime_func_call_unchecked on a reused C buffer, checked = wasmtime_func_call, " +
			"unchecked_nocallback = unchecked on a Go stack buffer through a #cgo noescape+nocallback wrapper; " +
			"one cgo call per Wasm call; view = wasmtime_memory_data held, copy = fetched per access",
	}
}

func (e *capiEngine) Close() {
	if e.stop != nil {
		// The ticker must not touch the engine once it is deleted.
		close(e.stop)
		<-e.done
		e.stop = nil
	}
	if e.linker != nil {
		C.wasmtime_linker_delete(e.linker)
		e.linker = nil
	}
	if e.engine != nil {
		C.wasm_engine_delete(e.engine)
		e.engine = nil
	}
}

func (e *capiEngine) Compile(wasm []byte) (Module, error) {
	var m *C.wasmtime_module_t
	if err := capiError(C.wasmtime_module_new(e.engine, bytesPtr(wasm), C.size_t(len(wasm)), &m), nil); err != nil {
		return nil, err
	}
	return &capiModule{e: e, m: m}, nil
}

// Serialize implements Serializer with wasmtime's precompiled-module format.
func (e *capiEngine) Serialize(m Module) ([]byte, error) {
	cm, ok := m.(*capiModule)
	if !ok {
		return nil, fmt.Errorf("serialize: %T is not a wasmtime-capi module", m)
	}
	var vec C.wasm_byte_vec_t
	if err := capiError(C.wasmtime_module_serialize(cm.m, &vec), nil); err != nil {
		return nil, err
	}
	defer C.wasm_byte_vec_delete(&vec)
	return C.GoBytes(unsafe.Pointer(vec.data), C.int(vec.size)), nil
}

// Deserialize implements Serializer: bytes from Serialize back to a module.
func (e *capiEngine) Deserialize(data []byte) (Module, error) {
	var m *C.wasmtime_module_t
	if err := capiError(C.wasmtime_module_deserialize(e.engine, bytesPtr(data), C.size_t(len(data)), &m), nil); err != nil {
		return nil, err
	}
	return &capiModule{e: e, m: m}, nil
}

// InstancePre implements PreLinker with wasmtime_linker_instantiate_pre.
func (e *capiEngine) InstancePre(m Module) (InstancePre, error) {
	cm, ok := m.(*capiModule)
	if !ok {
		return nil, fmt.Errorf("instance pre: %T is not a wasmtime-capi module", m)
	}
	var pre *C.wasmtime_instance_pre_t
	if err := capiError(C.wasmtime_linker_instantiate_pre(e.linker, cm.m, &pre), nil); err != nil {
		return nil, err
	}
	return &capiPre{e: e, pre: pre}, nil
}

type capiModule struct {
	e *capiEngine
	m *C.wasmtime_module_t
}

func (m *capiModule) Close() {
	if m.m != nil {
		C.wasmtime_module_delete(m.m)
		m.m = nil
	}
}

func (m *capiModule) Instantiate() (Instance, error) {
	return m.e.instantiate(func(ctx *C.wasmtime_context_t, inst *C.wasmtime_instance_t, trap **C.wasm_trap_t) *C.wasmtime_error_t {
		return C.wasmtime_linker_instantiate(m.e.linker, ctx, m.m, inst, trap)
	})
}

type capiPre struct {
	e   *capiEngine
	pre *C.wasmtime_instance_pre_t
}

func (p *capiPre) Close() {
	if p.pre != nil {
		C.wasmtime_instance_pre_delete(p.pre)
		p.pre = nil
	}
}

func (p *capiPre) Instantiate() (Instance, error) {
	return p.e.instantiate(func(ctx *C.wasmtime_context_t, inst *C.wasmtime_instance_t, trap **C.wasm_trap_t) *C.wasmtime_error_t {
		return C.wasmtime_instance_pre_instantiate(p.pre, ctx, inst, trap)
	})
}

// instantiate makes a fresh store and an instance in it with make.
func (e *capiEngine) instantiate(mk func(*C.wasmtime_context_t, *C.wasmtime_instance_t, **C.wasm_trap_t) *C.wasmtime_error_t) (Instance, error) {
	store := C.wasmtime_store_new(e.engine, nil, nil)
	ctx := C.wasmtime_store_context(store)
	if e.stop != nil {
		C.wasmtime_context_set_epoch_deadline(ctx, 1)
	}
	in := &capiInstance{store: store, ctx: ctx}
	if e.wasi {
		// The store takes the config; empty: nothing granted.
		if err := capiError(C.wasmtime_context_set_wasi(ctx, C.wasi_config_new()), nil); err != nil {
			C.wasmtime_store_delete(store)
			return nil, fmt.Errorf("set the store's WASI config: %w", err)
		}
	}
	var trap *C.wasm_trap_t
	if err := capiError(mk(ctx, &in.inst, &trap), trap); err != nil {
		C.wasmtime_store_delete(store)
		return nil, err
	}
	return in, nil
}

type capiInstance struct {
	store *C.wasmtime_store_t
	ctx   *C.wasmtime_context_t
	inst  C.wasmtime_instance_t
	fns   []*C.interop_wt_fn // freed on Close
}

func (in *capiInstance) Close() {
	for _, f := range in.fns {
		C.free(unsafe.Pointer(f))
	}
	in.fns = nil
	if in.store != nil {
		C.wasmtime_store_delete(in.store)
		in.store = nil
	}
}

func (in *capiInstance) export(name string) (C.wasmtime_extern_t, bool) {
	var ext C.wasmtime_extern_t
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	ok := C.wasmtime_instance_export_get(in.ctx, &in.inst, cname, C.size_t(len(name)), &ext)
	return ext, bool(ok)
}

func capiTypes(vec *C.wasm_valtype_vec_t) []ValType {
	var out []ValType
	for _, vt := range unsafe.Slice(vec.data, vec.size) {
		switch k := C.wasm_valtype_kind(vt); k {
		case C.WASM_I32:
			out = append(out, I32)
		case C.WASM_I64:
			out = append(out, I64)
		case C.WASM_F32:
			out = append(out, F32)
		case C.WASM_F64:
			out = append(out, F64)
		default:
			out = append(out, ValType(fmt.Sprintf("valkind %d", k)))
		}
	}
	return out
}

func capiKind(t ValType) C.wasmtime_valkind_t {
	switch t {
	case I64:
		return C.WASMTIME_I64
	case F32:
		return C.WASMTIME_F32
	case F64:
		return C.WASMTIME_F64
	}
	return C.WASMTIME_I32
}

// lookup finds export name, checks its signature against want and binds it for api:
// its function, the store's context and its value buffers in one C struct, freed with
// the instance.
func (in *capiInstance) lookup(name string, want Sig, api string) (*C.interop_wt_fn, error) {
	switch api {
	case "unchecked", "checked", capiNoCallbackAPI:
	default:
		return nil, errAPI(api)
	}
	if api == capiNoCallbackAPI && name == "call_host" {
		return nil, errAPINotApplicable{api, "call_host calls env.host_inc, a C callback into Go, which a C " +
			"function annotated #cgo nocallback must never make (the Go runtime panics and the process dies)"}
	}
	ext, ok := in.export(name)
	if !ok {
		return nil, errMissing(name)
	}
	if ext.kind != C.WASMTIME_EXTERN_FUNC {
		kind := "non-function"
		if ext.kind == C.WASMTIME_EXTERN_MEMORY {
			kind = "memory"
		}
		return nil, errNotFunc(name, kind)
	}
	fn := *(*C.wasmtime_func_t)(unsafe.Pointer(&ext.of))
	ty := C.wasmtime_func_type(in.ctx, &fn)
	got := Sig{Params: capiTypes(C.wasm_functype_params(ty)), Results: capiTypes(C.wasm_functype_results(ty))}
	C.wasm_functype_delete(ty)
	if !got.Equal(want) {
		return nil, errSig(name, got, want)
	}
	if len(want.Params) > C.INTEROP_WT_MAX_VALS || len(want.Results) > C.INTEROP_WT_MAX_VALS {
		return nil, fmt.Errorf("export %s: more than %d parameters or results", name, C.INTEROP_WT_MAX_VALS)
	}
	f := (*C.interop_wt_fn)(C.calloc(1, C.sizeof_interop_wt_fn))
	f.ctx = in.ctx
	f.fn = fn
	f.nparams, f.nresults = C.size_t(len(want.Params)), C.size_t(len(want.Results))
	f.nraw = max(f.nparams, f.nresults)
	for i, p := range want.Params {
		f.args[i].kind = capiKind(p)
	}
	for i, r := range want.Results {
		f.results[i].kind = capiKind(r)
	}
	in.fns = append(in.fns, f)
	return f, nil
}

// Each Func* returns one closure per call API; the unchecked and checked closures write
// the arguments into the C struct's buffers and read the results back (plain memory
// accesses), so the cgo call is the only crossing.

func (in *capiInstance) FuncV_V(name, api string) (func() error, error) {
	f, err := in.lookup(name, SigV_V, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func() error {
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	case capiNoCallbackAPI:
		return func() error {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	}
	return func() error {
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return capiFailure(f)
		}
		return nil
	}, nil
}

func (in *capiInstance) FuncI_I(name, api string) (func(a int32) (int32, error), error) {
	f, err := in.lookup(name, SigI_I, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func(a int32) (int32, error) {
			*valI32(&f.args[0]) = a
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return 0, capiFailure(f)
			}
			return *valI32(&f.results[0]), nil
		}, nil
	case capiNoCallbackAPI:
		return func(a int32) (int32, error) {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			*rawI32(&raw[0]) = a
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return 0, capiFailure(f)
			}
			return *rawI32(&raw[0]), nil
		}, nil
	}
	return func(a int32) (int32, error) {
		*rawI32(&f.raw[0]) = a
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return 0, capiFailure(f)
		}
		return *rawI32(&f.raw[0]), nil
	}, nil
}

func (in *capiInstance) FuncII_I(name, api string) (func(a, b int32) (int32, error), error) {
	f, err := in.lookup(name, SigII_I, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func(a, b int32) (int32, error) {
			*valI32(&f.args[0]), *valI32(&f.args[1]) = a, b
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return 0, capiFailure(f)
			}
			return *valI32(&f.results[0]), nil
		}, nil
	case capiNoCallbackAPI:
		return func(a, b int32) (int32, error) {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			*rawI32(&raw[0]), *rawI32(&raw[1]) = a, b
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return 0, capiFailure(f)
			}
			return *rawI32(&raw[0]), nil
		}, nil
	}
	return func(a, b int32) (int32, error) {
		*rawI32(&f.raw[0]), *rawI32(&f.raw[1]) = a, b
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return 0, capiFailure(f)
		}
		return *rawI32(&f.raw[0]), nil
	}, nil
}

func (in *capiInstance) FuncII_V(name, api string) (func(a, b int32) error, error) {
	f, err := in.lookup(name, SigII_V, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func(a, b int32) error {
			*valI32(&f.args[0]), *valI32(&f.args[1]) = a, b
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	case capiNoCallbackAPI:
		return func(a, b int32) error {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			*rawI32(&raw[0]), *rawI32(&raw[1]) = a, b
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	}
	return func(a, b int32) error {
		*rawI32(&f.raw[0]), *rawI32(&f.raw[1]) = a, b
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return capiFailure(f)
		}
		return nil
	}, nil
}

func (in *capiInstance) FuncIIII_V(name, api string) (func(a, b, c, d int32) error, error) {
	f, err := in.lookup(name, SigIIII_V, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func(a, b, c, d int32) error {
			*valI32(&f.args[0]), *valI32(&f.args[1]), *valI32(&f.args[2]), *valI32(&f.args[3]) = a, b, c, d
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	case capiNoCallbackAPI:
		return func(a, b, c, d int32) error {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			*rawI32(&raw[0]), *rawI32(&raw[1]), *rawI32(&raw[2]), *rawI32(&raw[3]) = a, b, c, d
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return capiFailure(f)
			}
			return nil
		}, nil
	}
	return func(a, b, c, d int32) error {
		*rawI32(&f.raw[0]), *rawI32(&f.raw[1]), *rawI32(&f.raw[2]), *rawI32(&f.raw[3]) = a, b, c, d
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return capiFailure(f)
		}
		return nil
	}, nil
}

func (in *capiInstance) FuncII_L(name, api string) (func(a, b int32) (int64, error), error) {
	f, err := in.lookup(name, SigII_L, api)
	if err != nil {
		return nil, err
	}
	switch api {
	case "checked":
		return func(a, b int32) (int64, error) {
			*valI32(&f.args[0]), *valI32(&f.args[1]) = a, b
			if C.interop_wt_call_checked(handle(f)) != 0 {
				return 0, capiFailure(f)
			}
			return *valI64(&f.results[0]), nil
		}, nil
	case capiNoCallbackAPI:
		return func(a, b int32) (int64, error) {
			var raw [C.INTEROP_WT_MAX_VALS]C.wasmtime_val_raw_t
			*rawI32(&raw[0]), *rawI32(&raw[1]) = a, b
			if C.interop_wt_call_unchecked_nocb(f, &raw[0]) != 0 {
				return 0, capiFailure(f)
			}
			return *rawI64(&raw[0]), nil
		}, nil
	}
	return func(a, b int32) (int64, error) {
		*rawI32(&f.raw[0]), *rawI32(&f.raw[1]) = a, b
		if C.interop_wt_call_unchecked(handle(f)) != 0 {
			return 0, capiFailure(f)
		}
		return *rawI64(&f.raw[0]), nil
	}, nil
}

// BatchAdd implements BatchCaller: k add_numbers calls in one cgo call, each checked in C.
func (in *capiInstance) BatchAdd(api string) (func(k int, a, b int32) (int32, error), error) {
	f, err := in.lookup("add_numbers", SigII_I, api)
	if err != nil {
		return nil, err
	}
	fail := func(rc C.int, k int, a, b int32) error {
		i := int32(f.bad_index)
		if rc == 2 {
			return mismatch("add_numbers", "add_numbers(%d, %d) returned %d, expected %d (call %d of %d in one batch, checked in C)",
				a+i, b, int32(f.bad_got), a+i+b, i+1, k)
		}
		return &callError{"add_numbers", fmt.Errorf("call %d of %d in one batch: %w", i+1, k, capiFailure(f))}
	}
	switch api {
	case "checked":
		return func(k int, a, b int32) (int32, error) {
			if rc := C.interop_wt_batch_add_checked(handle(f), C.int32_t(k), C.int32_t(a), C.int32_t(b)); rc != 0 {
				return 0, fail(rc, k, a, b)
			}
			return *valI32(&f.results[0]), nil
		}, nil
	case capiNoCallbackAPI:
		return func(k int, a, b int32) (int32, error) {
			if rc := C.interop_wt_batch_add_unchecked_nocb(handle(f), C.int32_t(k), C.int32_t(a), C.int32_t(b)); rc != 0 {
				return 0, fail(rc, k, a, b)
			}
			return *rawI32(&f.raw[0]), nil
		}, nil
	}
	return func(k int, a, b int32) (int32, error) {
		if rc := C.interop_wt_batch_add_unchecked(handle(f), C.int32_t(k), C.int32_t(a), C.int32_t(b)); rc != 0 {
			return 0, fail(rc, k, a, b)
		}
		return *rawI32(&f.raw[0]), nil
	}, nil
}

func (in *capiInstance) Memory() (Memory, error) {
	ext, ok := in.export("memory")
	if !ok {
		return nil, errMissing("memory")
	}
	if ext.kind != C.WASMTIME_EXTERN_MEMORY {
		return nil, &ExportError{Export: "memory", Msg: "export memory is not a memory"}
	}
	m := &capiMemory{ctx: in.ctx}
	m.mem = *(*C.wasmtime_memory_t)(unsafe.Pointer(&ext.of))
	return m, nil
}

type capiMemory struct {
	ctx *C.wasmtime_context_t
	mem C.wasmtime_memory_t
}

func (m *capiMemory) View() []byte {
	p := C.wasmtime_memory_data(m.ctx, &m.mem)
	n := C.wasmtime_memory_data_size(m.ctx, &m.mem)
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

func (m *capiMemory) Write(off uint32, src []byte) error {
	d := m.View()
	if uint64(off)+uint64(len(src)) > uint64(len(d)) {
		return fmt.Errorf("memory write of %d bytes at %d out of bounds (%d bytes)", len(src), off, len(d))
	}
	copy(d[off:], src)
	return nil
}

func (m *capiMemory) Read(off uint32, dst []byte) error {
	d := m.View()
	if uint64(off)+uint64(len(dst)) > uint64(len(d)) {
		return fmt.Errorf("memory read of %d bytes at %d out of bounds (%d bytes)", len(dst), off, len(d))
	}
	copy(dst, d[off:])
	return nil
}

// capiLayout is INTEROP_WT_LAYOUT as wasmtime_capi.h declares it (for the layout test).
func capiLayout() []uint64 {
	var buf [64]C.size_t
	n := int(C.interop_wt_layout(&buf[0], C.size_t(len(buf))))
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(buf[i])
	}
	return out
}
