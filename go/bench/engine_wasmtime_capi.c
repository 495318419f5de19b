//go:build cgo && !wasmer

// The C side of the wasmtime-capi adapter (engine_wasmtime_capi.go): thin wrappers, so
// that each Wasm call is exactly one cgo call, the batch loop of batch_crossing, and
// env.host_inc as a C callback into Go. Symbols resolve against the libwasmtime.a that
// wasmtime-go links into the same binary.

#include <stdlib.h>
#include <string.h>

#include "_cgo_export.h"
#include "wasmtime_capi.h"

// Set while a call made through a `#cgo nocallback` wrapper runs on this thread: a
// callback into Go then makes the Go runtime panic ("function marked with #cgo
// nocallback called back into Go") across C frames, killing the process, so host_inc
// traps instead.
static __thread int interop_wt_in_nocb;

static const char nocb_msg[] =
    "env.host_inc was called during a call made through the unchecked_nocallback API (a #cgo nocallback C "
    "function must never call back into Go)";

static wasm_trap_t *interop_wt_host_inc(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args,
                                        size_t n) {
  (void)env;
  (void)caller;
  (void)n;
  if (interop_wt_in_nocb) {
    return wasmtime_trap_new(nocb_msg, sizeof nocb_msg - 1);
  }
  args[0].i32 = interopWtHostInc(args[0].i32);
  return NULL;
}

wasmtime_error_t *interop_wt_define_host_inc(wasmtime_linker_t *linker) {
  wasm_valtype_t *p = wasm_valtype_new(WASM_I32), *r = wasm_valtype_new(WASM_I32);
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new(&params, 1, &p);
  wasm_valtype_vec_new(&results, 1, &r);
  wasm_functype_t *ty = wasm_functype_new(&params, &results); // takes both vectors
  wasmtime_error_t *err = wasmtime_linker_define_func_unchecked(linker, "env", 3, "host_inc", 8, ty,
                                                                interop_wt_host_inc, NULL, NULL);
  wasm_functype_delete(ty);
  return err;
}

// One of a scenario file's host functions: its behaviour, in C (no callback into Go, so
// it also runs under the unchecked_nocallback API).
typedef struct {
  int count;      // 1: return the number of calls so far; 0: return value
  int64_t value;
  int64_t calls;
  int result;     // -1: no result; else its wasm_valkind_t
} interop_wt_import;

static wasm_trap_t *interop_wt_file_import(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args,
                                           size_t n) {
  interop_wt_import *imp = env;
  (void)caller;
  (void)n;
  int64_t v = imp->count ? ++imp->calls : imp->value;
  if (imp->result == WASM_I32) {
    args[0].i32 = (int32_t)v;
  } else if (imp->result == WASM_I64) {
    args[0].i64 = v;
  }
  return NULL;
}

static void interop_wt_valtypes(wasm_valtype_vec_t *out, const uint8_t *kinds, size_t n) {
  wasm_valtype_t *types[n + 1]; // never empty: the C API copies from a non-null pointer
  for (size_t i = 0; i < n; i++) {
    types[i] = wasm_valtype_new(kinds[i]);
  }
  wasm_valtype_vec_new(out, n, types);
}

wasmtime_error_t *interop_wt_define_import(wasmtime_linker_t *linker, const char *module, size_t module_len,
                                           const char *name, size_t name_len, const uint8_t *params,
                                           size_t nparams, const uint8_t *results, size_t nresults, int count,
                                           int64_t value) {
  interop_wt_import *imp = malloc(sizeof *imp);
  imp->count = count;
  imp->value = value;
  imp->calls = 0;
  imp->result = nresults > 0 ? results[0] : -1;
  wasm_valtype_vec_t p, r;
  interop_wt_valtypes(&p, params, nparams);
  interop_wt_valtypes(&r, results, nresults);
  wasm_functype_t *ty = wasm_functype_new(&p, &r); // takes both vectors
  // The linker owns imp from here: freed with the linker.
  wasmtime_error_t *err = wasmtime_linker_define_func_unchecked(linker, module, module_len, name, name_len, ty,
                                                                interop_wt_file_import, imp, free);
  wasm_functype_delete(ty);
  return err;
}

static int failed(interop_wt_fn *f, wasmtime_error_t *err, wasm_trap_t *trap) {
  f->err = err;
  f->trap = trap;
  return 1;
}

int interop_wt_call_unchecked(uintptr_t h) {
  interop_wt_fn *f = (interop_wt_fn *)h;
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *err = wasmtime_func_call_unchecked(f->ctx, &f->fn, f->raw, f->nraw, &trap);
  if (err != NULL || trap != NULL) {
    return failed(f, err, trap);
  }
  return 0;
}

int interop_wt_call_checked(uintptr_t h) {
  interop_wt_fn *f = (interop_wt_fn *)h;
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *err =
      wasmtime_func_call(f->ctx, &f->fn, f->args, f->nparams, f->results, f->nresults, &trap);
  if (err != NULL || trap != NULL) {
    return failed(f, err, trap);
  }
  return 0;
}

int interop_wt_call_unchecked_nocb(interop_wt_fn *f, wasmtime_val_raw_t *raw) {
  wasm_trap_t *trap = NULL;
  interop_wt_in_nocb = 1;
  wasmtime_error_t *err = wasmtime_func_call_unchecked(f->ctx, &f->fn, raw, f->nraw, &trap);
  interop_wt_in_nocb = 0;
  if (err != NULL || trap != NULL) {
    return failed(f, err, trap);
  }
  return 0;
}

static inline int32_t wrapping_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

static int batch_unchecked(interop_wt_fn *f, int32_t k, int32_t a, int32_t b) {
  for (int32_t i = 0; i < k; i++) {
    int32_t x = wrapping_add(a, i);
    f->raw[0].i32 = x;
    f->raw[1].i32 = b;
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *err = wasmtime_func_call_unchecked(f->ctx, &f->fn, f->raw, f->nraw, &trap);
    f->bad_index = i;
    if (err != NULL || trap != NULL) {
      return failed(f, err, trap);
    }
    if (f->raw[0].i32 != wrapping_add(x, b)) {
      f->bad_got = f->raw[0].i32;
      return 2;
    }
  }
  return 0;
}

int interop_wt_batch_add_unchecked(uintptr_t h, int32_t k, int32_t a, int32_t b) {
  interop_wt_fn *f = (interop_wt_fn *)h;
  return batch_unchecked(f, k, a, b);
}

int interop_wt_batch_add_unchecked_nocb(uintptr_t h, int32_t k, int32_t a, int32_t b) {
  interop_wt_fn *f = (interop_wt_fn *)h;
  interop_wt_in_nocb = 1;
  int rc = batch_unchecked(f, k, a, b);
  interop_wt_in_nocb = 0;
  return rc;
}

int interop_wt_batch_add_checked(uintptr_t h, int32_t k, int32_t a, int32_t b) {
  interop_wt_fn *f = (interop_wt_fn *)h;
  for (int32_t i = 0; i < k; i++) {
    int32_t x = wrapping_add(a, i);
    f->args[0].of.i32 = x;
    f->args[1].of.i32 = b;
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *err = wasmtime_func_call(f->ctx, &f->fn, f->args, 2, f->results, 1, &trap);
    f->bad_index = i;
    if (err != NULL || trap != NULL) {
      return failed(f, err, trap);
    }
    if (f->results[0].kind != WASMTIME_I32 || f->results[0].of.i32 != wrapping_add(x, b)) {
      f->bad_got = f->results[0].of.i32;
      return 2;
    }
  }
  return 0;
}

size_t interop_wt_layout(size_t *out, size_t cap) {
  size_t n = 0;
#define INTEROP_WT_PUT(v)                                                                                    \
  if (n < cap) out[n] = (size_t)(v);                                                                         \
  n++;
  INTEROP_WT_LAYOUT(INTEROP_WT_PUT)
#undef INTEROP_WT_PUT
  return n;
}
