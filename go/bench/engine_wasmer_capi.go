//go:build cgo && wasmer

package bench

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The few wasm.h declarations this shim needs, spelled out here instead of including
// wasmer-go's header (this file's package has no include path into the module cache);
// the layouts are the standard wasm.h ones (wasm_val_t: a one-byte kind, then an 8-byte
// union at offset 8; wasm_val_vec_t and wasm_message_t: size, then data) and the symbols
// resolve to the libwasmer.so that wasmer-go links (its #cgo LDFLAGS).
typedef struct wbw_val { uint8_t kind; union { int32_t i32; int64_t i64; float f32; double f64; void *ref; } of; } wbw_val;
typedef struct wbw_vec { size_t size; wbw_val *data; } wbw_vec;
typedef struct wbw_bytes { size_t size; char *data; } wbw_bytes;
extern void *wasm_func_call(const void *func, const wbw_vec *args, wbw_vec *results);
extern void wasm_trap_message(const void *trap, wbw_bytes *out);
extern void wasm_byte_vec_delete(wbw_bytes *);
extern void wasm_trap_delete(void *trap);

enum { WBW_I32 = 0, WBW_I64 = 1, WBW_MSG = 240 };

// One call record per Go closure, made once: the function, argument and result vectors
// over its own value array, and room for a trap's message.
typedef struct wbw_call {
	const void *func;
	wbw_vec args, results;
	wbw_val vals[8];
	char msg[WBW_MSG];
} wbw_call;

static wbw_call *wbw_new(const void *func, int nparams, int nresults, int result_kind) {
	wbw_call *c = calloc(1, sizeof *c);
	if (!c) return 0;
	c->func = func;
	c->args.size = nparams;
	c->args.data = c->vals;
	c->results.size = nresults;
	c->results.data = c->vals + nparams;
	for (int i = 0; i < nparams; i++) c->vals[i].kind = WBW_I32;
	for (int i = 0; i < nresults; i++) c->vals[nparams + i].kind = result_kind;
	return c;
}

static void wbw_free(wbw_call *c) { free(c); }

static int wbw_trap(wbw_call *c, void *trap) {
	wbw_bytes m = {0, 0};
	wasm_trap_message(trap, &m);
	size_t n = m.size < WBW_MSG - 1 ? m.size : WBW_MSG - 1;
	if (n > 0 && m.data[n - 1] == 0) n--;
	memcpy(c->msg, m.data, n);
	c->msg[n] = 0;
	wasm_byte_vec_delete(&m);
	wasm_trap_delete(trap);
	return 1;
}

// wbw_call_rec: one wasm_func_call with the arguments already in the record; 1 on a trap.
// The record crosses as an integer (C memory, not a Go pointer: cgo has nothing to check).
static int wbw_call_rec(uintptr_t rec) {
	wbw_call *c = (wbw_call *)rec;
	void *trap = wasm_func_call(c->func, &c->args, &c->results);
	return trap ? wbw_trap(c, trap) : 0;
}

// wbw_batch_add: k calls of add_numbers(a + i, b) in one cgo call, each result checked
// here (2 on a wrong one, its index in *bad); the last result in *last; 1 on a trap.
static int wbw_batch_add(uintptr_t rec, int k, int32_t a, int32_t b, int32_t *last, int32_t *bad) {
	wbw_call *c = (wbw_call *)rec;
	for (int i = 0; i < k; i++) {
		int32_t x = (int32_t)((uint32_t)a + (uint32_t)i);
		c->vals[0].of.i32 = x;
		c->vals[1].of.i32 = b;
		void *trap = wasm_func_call(c->func, &c->args, &c->results);
		if (trap) return wbw_trap(c, trap);
		*last = c->vals[2].of.i32;
		if (*last != (int32_t)((uint32_t)x + (uint32_t)b)) { *bad = i; return 2; }
	}
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/wasmerio/wasmer-go/wasmer"
)

// wasmer-capi: the direct path to wasmer's C API (issue #9, item 4), beside wasmer-go.
// The same engine, store, module, instance and exports as wasmer-go (this adapter wraps
// its objects), but each call is one cgo call into a small C shim that calls wasm.h's
// wasm_func_call on the export's wasm_func_t with argument and result vectors built
// once: no interface{} boxing, no per-call vector allocation, no Go closure.
// Call API:
//   - checked: wasm_func_call (wasm.h has no unchecked call: every call goes through
//              wasmer's own value conversion and checks, so the layer split of wasmer-go
//              has no separate capi_checks layer).
// Memory APIs and start-up: as wasmer-go (the same objects).
// wasmer-go keeps its wasm_func_t* in the unexported first field of wasmer.Function;
// wasmerFuncPtr reads it, valid for the pinned wasmer-go v1.0.4 (checked by the tests:
// every scenario's result is verified through this path).

func init() {
	register(Factory{Name: "wasmer-capi", New: newWasmerCapi})
}

type wmcEngine struct{ wmEngine }

func newWasmerCapi() (Engine, error) {
	return &wmcEngine{wmEngine{engine: wasmer.NewEngine()}}, nil
}

func (e *wmcEngine) Info() RuntimeInfo { return wasmerCapiInfo() }

func (e *wmcEngine) Compile(wasm []byte) (Module, error) {
	m, err := e.wmEngine.Compile(wasm)
	if err != nil {
		return nil, err
	}
	return &wmcModule{m.(*wmModule)}, nil
}

func (e *wmcEngine) Deserialize(data []byte) (Module, error) {
	m, err := e.wmEngine.Deserialize(data)
	if err != nil {
		return nil, err
	}
	return &wmcModule{m.(*wmModule)}, nil
}

func (e *wmcEngine) Serialize(m Module) ([]byte, error) {
	wm, ok := m.(*wmcModule)
	if !ok {
		return nil, fmt.Errorf("serialize: %T is not a wasmer-capi module", m)
	}
	return e.wmEngine.Serialize(wm.wmModule)
}

type wmcModule struct{ *wmModule }

func (m *wmcModule) Instantiate() (Instance, error) {
	in, err := m.wmModule.Instantiate()
	if err != nil {
		return nil, err
	}
	return &wmcInstance{in.(*wmInstance)}, nil
}

type wmcInstance struct{ *wmInstance }

// wasmerFuncPtr is the wasm_func_t* that wasmer-go's Function wraps (its first field).
func wasmerFuncPtr(f *wasmer.Function) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(f))
}

// wmcCall is one export's call record; the instance and the Function stay reachable from
// it, and the record is freed when the closure that holds it is collected.
type wmcCall struct {
	p    *C.wbw_call // C memory
	rec  C.uintptr_t // p, as the integer the shim's calls take
	f    *wasmer.Function
	inst *wasmer.Instance
}

func (in *wmcInstance) prepare(name string, want Sig, api string) (*wmcCall, error) {
	if api != "checked" {
		return nil, errAPI(api)
	}
	f, err := in.lookup(name, want, "call")
	if err != nil {
		return nil, err
	}
	kind := C.int(C.WBW_I32)
	if len(want.Results) == 1 && want.Results[0] == I64 {
		kind = C.WBW_I64
	}
	p := C.wbw_new(wasmerFuncPtr(f), C.int(len(want.Params)), C.int(len(want.Results)), kind)
	if p == nil {
		return nil, errors.New("wasmer-capi: out of C memory for a call record")
	}
	c := &wmcCall{p: p, rec: C.uintptr_t(uintptr(unsafe.Pointer(p))), f: f, inst: in.inst}
	runtime.SetFinalizer(c, func(c *wmcCall) { C.wbw_free(c.p) })
	return c, nil
}

func (c *wmcCall) rp() *C.wbw_call { return c.p }

func (c *wmcCall) arg(i int, v int32) {
	*(*int32)(unsafe.Pointer(&c.rp().vals[i].of)) = v
}

func (c *wmcCall) call() error {
	trapped := C.wbw_call_rec(c.rec)
	runtime.KeepAlive(c)
	if trapped != 0 {
		return errors.New(C.GoString(&c.rp().msg[0]))
	}
	return nil
}

func (c *wmcCall) i32(i int) int32 { return *(*int32)(unsafe.Pointer(&c.rp().vals[i].of)) }
func (c *wmcCall) i64(i int) int64 { return *(*int64)(unsafe.Pointer(&c.rp().vals[i].of)) }

func (in *wmcInstance) FuncV_V(name, api string) (func() error, error) {
	c, err := in.prepare(name, SigV_V, api)
	if err != nil {
		return nil, err
	}
	return c.call, nil
}

func (in *wmcInstance) FuncI_I(name, api string) (func(int32) (int32, error), error) {
	c, err := in.prepare(name, SigI_I, api)
	if err != nil {
		return nil, err
	}
	return func(a int32) (int32, error) {
		c.arg(0, a)
		err := c.call()
		return c.i32(1), err
	}, nil
}

func (in *wmcInstance) FuncII_I(name, api string) (func(a, b int32) (int32, error), error) {
	c, err := in.prepare(name, SigII_I, api)
	if err != nil {
		return nil, err
	}
	return func(a, b int32) (int32, error) {
		c.arg(0, a)
		c.arg(1, b)
		err := c.call()
		return c.i32(2), err
	}, nil
}

func (in *wmcInstance) FuncII_V(name, api string) (func(a, b int32) error, error) {
	c, err := in.prepare(name, SigII_V, api)
	if err != nil {
		return nil, err
	}
	return func(a, b int32) error {
		c.arg(0, a)
		c.arg(1, b)
		return c.call()
	}, nil
}

func (in *wmcInstance) FuncIIII_V(name, api string) (func(a, b, c, d int32) error, error) {
	k, err := in.prepare(name, SigIIII_V, api)
	if err != nil {
		return nil, err
	}
	return func(a, b, c, d int32) error {
		k.arg(0, a)
		k.arg(1, b)
		k.arg(2, c)
		k.arg(3, d)
		return k.call()
	}, nil
}

func (in *wmcInstance) FuncII_L(name, api string) (func(a, b int32) (int64, error), error) {
	c, err := in.prepare(name, SigII_L, api)
	if err != nil {
		return nil, err
	}
	return func(a, b int32) (int64, error) {
		c.arg(0, a)
		c.arg(1, b)
		err := c.call()
		return c.i64(2), err
	}, nil
}

// BatchAdd implements BatchCaller: k calls of add_numbers in one cgo call.
func (in *wmcInstance) BatchAdd(api string) (func(k int, a, b int32) (int32, error), error) {
	c, err := in.prepare("add_numbers", SigII_I, api)
	if err != nil {
		return nil, err
	}
	return func(k int, a, b int32) (int32, error) {
		var last, bad C.int32_t
		rc := C.wbw_batch_add(c.rec, C.int(k), C.int32_t(a), C.int32_t(b), &last, &bad)
		runtime.KeepAlive(c)
		switch rc {
		case 1:
			return 0, errors.New(C.GoString(&c.rp().msg[0]))
		case 2:
			return 0, mismatch("add_numbers", "batched call %d of %d returned %d, expected %d", int(bad), k, int32(last), a+int32(bad)+b)
		}
		return int32(last), nil
	}, nil
}
