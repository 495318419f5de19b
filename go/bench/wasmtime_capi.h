// The part of wasmtime's C API (v39, as shipped in wasmtime-go v39.0.1's build/include)
// that the wasmtime-capi adapter uses, declared here because a plain `go build` cannot
// point the C compiler at the headers inside the Go module cache (#cgo CFLAGS reaches
// only this source tree, and wasmtime-go exports no C types to other packages).
//
// Every declaration below is copied from those headers, types and prototypes alike:
// capi_test.go compiles this file after the real <wasmtime.h> (so the compiler
// rejects any prototype that differs from wasmtime's) and compares every size and offset
// in INTEROP_WT_LAYOUT between the two. When the real headers are included first
// (WASMTIME_API_H defined), only the prototypes and the adapter's own types are read.

#ifndef INTEROP_WASMTIME_CAPI_H
#define INTEROP_WASMTIME_CAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef WASMTIME_API_H

// wasm.h
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum { WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_EXTERNREF = 128, WASM_FUNCREF };
typedef struct wasm_byte_vec_t {
  size_t size;
  char *data;
} wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;
typedef wasm_name_t wasm_message_t;
typedef struct wasm_valtype_vec_t {
  size_t size;
  wasm_valtype_t **data;
} wasm_valtype_vec_t;

// wasmtime/error.h, store.h, module.h, linker.h, func.h, instance.h
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasmtime_caller wasmtime_caller_t;
typedef struct wasmtime_instance_pre wasmtime_instance_pre_t;

// wasi.h
typedef struct wasi_config_t wasi_config_t;

// wasmtime/extern.h
typedef struct wasmtime_func {
  uint64_t store_id;
  void *__private;
} wasmtime_func_t;
typedef struct wasmtime_table {
  struct {
    uint64_t store_id;
    uint32_t __private1;
  };
  uint32_t __private2;
} wasmtime_table_t;
typedef struct wasmtime_memory {
  struct {
    uint64_t store_id;
    uint32_t __private1;
  };
  uint32_t __private2;
} wasmtime_memory_t;
typedef struct wasmtime_global {
  uint64_t store_id;
  uint32_t __private1;
  uint32_t __private2;
  uint32_t __private3;
} wasmtime_global_t;
typedef uint8_t wasmtime_extern_kind_t;
#define WASMTIME_EXTERN_FUNC 0
#define WASMTIME_EXTERN_GLOBAL 1
#define WASMTIME_EXTERN_TABLE 2
#define WASMTIME_EXTERN_MEMORY 3
#define WASMTIME_EXTERN_SHAREDMEMORY 4
typedef union wasmtime_extern_union {
  wasmtime_func_t func;
  wasmtime_global_t global;
  wasmtime_table_t table;
  wasmtime_memory_t memory;
  struct wasmtime_sharedmemory *sharedmemory;
} wasmtime_extern_union_t;
typedef struct wasmtime_extern {
  wasmtime_extern_kind_t kind;
  wasmtime_extern_union_t of;
} wasmtime_extern_t;

// wasmtime/instance.h
typedef struct wasmtime_instance {
  uint64_t store_id;
  size_t __private;
} wasmtime_instance_t;

// wasmtime/val.h
typedef struct wasmtime_anyref {
  uint64_t store_id;
  uint32_t __private1;
  uint32_t __private2;
  void *__private3;
} wasmtime_anyref_t;
typedef struct wasmtime_externref {
  uint64_t store_id;
  uint32_t __private1;
  uint32_t __private2;
  void *__private3;
} wasmtime_externref_t;
typedef uint8_t wasmtime_valkind_t;
#define WASMTIME_I32 0
#define WASMTIME_I64 1
#define WASMTIME_F32 2
#define WASMTIME_F64 3
typedef uint8_t wasmtime_v128[16];
typedef union wasmtime_valunion {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  wasmtime_anyref_t anyref;
  wasmtime_externref_t externref;
  wasmtime_func_t funcref;
  wasmtime_v128 v128;
} wasmtime_valunion_t;
typedef union wasmtime_val_raw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  wasmtime_v128 v128;
  uint32_t anyref;
  uint32_t externref;
  void *funcref;
} wasmtime_val_raw_t;
typedef struct wasmtime_val {
  wasmtime_valkind_t kind;
  wasmtime_valunion_t of;
} wasmtime_val_t;

typedef wasm_trap_t *(*wasmtime_func_unchecked_callback_t)(void *env, wasmtime_caller_t *caller,
                                                            wasmtime_val_raw_t *args_and_results,
                                                            size_t num_args_and_results);

#endif // WASMTIME_API_H

// Prototypes (wasm.h and wasmtime/*.h), checked against the real headers by the test.
wasm_engine_t *wasm_engine_new(void);
void wasm_engine_delete(wasm_engine_t *);
// Epoch interruption: configured only under the capability probes.
wasm_config_t *wasm_config_new(void);
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *);
void wasmtime_config_epoch_interruption_set(wasm_config_t *, bool);
void wasmtime_engine_increment_epoch(wasm_engine_t *engine);
void wasmtime_context_set_epoch_deadline(wasmtime_context_t *context, uint64_t ticks_beyond_current);
void wasm_byte_vec_delete(wasm_byte_vec_t *);
wasm_valtype_t *wasm_valtype_new(wasm_valkind_t);
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *);
void wasm_valtype_vec_new(wasm_valtype_vec_t *out, size_t, wasm_valtype_t *const[]);
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results);
const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *);
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *);
void wasm_functype_delete(wasm_functype_t *);
void wasm_trap_message(const wasm_trap_t *, wasm_message_t *out);
void wasm_trap_delete(wasm_trap_t *);

void wasmtime_error_delete(wasmtime_error_t *error);
void wasmtime_error_message(const wasmtime_error_t *error, wasm_name_t *message);
wasm_trap_t *wasmtime_trap_new(const char *msg, size_t msg_len);

wasmtime_store_t *wasmtime_store_new(wasm_engine_t *engine, void *data, void (*finalizer)(void *));
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *store);
void wasmtime_store_delete(wasmtime_store_t *store);

wasmtime_error_t *wasmtime_module_new(wasm_engine_t *engine, const uint8_t *wasm, size_t wasm_len,
                                      wasmtime_module_t **ret);
void wasmtime_module_delete(wasmtime_module_t *m);
wasmtime_error_t *wasmtime_module_serialize(wasmtime_module_t *module, wasm_byte_vec_t *ret);
wasmtime_error_t *wasmtime_module_deserialize(wasm_engine_t *engine, const uint8_t *bytes, size_t bytes_len,
                                              wasmtime_module_t **ret);

wasi_config_t *wasi_config_new(void);
wasmtime_error_t *wasmtime_context_set_wasi(wasmtime_context_t *context, wasi_config_t *wasi);

wasmtime_linker_t *wasmtime_linker_new(wasm_engine_t *engine);
wasmtime_error_t *wasmtime_linker_define_wasi(wasmtime_linker_t *linker);
void wasmtime_linker_delete(wasmtime_linker_t *linker);
wasmtime_error_t *wasmtime_linker_define_func_unchecked(wasmtime_linker_t *linker, const char *module,
                                                        size_t module_len, const char *name, size_t name_len,
                                                        const wasm_functype_t *ty,
                                                        wasmtime_func_unchecked_callback_t cb, void *data,
                                                        void (*finalizer)(void *));
wasmtime_error_t *wasmtime_linker_instantiate(const wasmtime_linker_t *linker, wasmtime_context_t *store,
                                              const wasmtime_module_t *module, wasmtime_instance_t *instance,
                                              wasm_trap_t **trap);
wasmtime_error_t *wasmtime_linker_instantiate_pre(const wasmtime_linker_t *linker,
                                                  const wasmtime_module_t *module,
                                                  wasmtime_instance_pre_t **instance_pre);
void wasmtime_instance_pre_delete(wasmtime_instance_pre_t *instance_pre);
wasmtime_error_t *wasmtime_instance_pre_instantiate(const wasmtime_instance_pre_t *instance_pre,
                                                    wasmtime_context_t *store, wasmtime_instance_t *instance,
                                                    wasm_trap_t **trap_ptr);
bool wasmtime_instance_export_get(wasmtime_context_t *store, const wasmtime_instance_t *instance,
                                  const char *name, size_t name_len, wasmtime_extern_t *item);

wasm_functype_t *wasmtime_func_type(const wasmtime_context_t *store, const wasmtime_func_t *func);
wasmtime_error_t *wasmtime_func_call(wasmtime_context_t *store, const wasmtime_func_t *func,
                                     const wasmtime_val_t *args, size_t nargs, wasmtime_val_t *results,
                                     size_t nresults, wasm_trap_t **trap);
wasmtime_error_t *wasmtime_func_call_unchecked(wasmtime_context_t *store, const wasmtime_func_t *func,
                                               wasmtime_val_raw_t *args_and_results, size_t args_and_results_len,
                                               wasm_trap_t **trap);

uint8_t *wasmtime_memory_data(const wasmtime_context_t *store, const wasmtime_memory_t *memory);
size_t wasmtime_memory_data_size(const wasmtime_context_t *store, const wasmtime_memory_t *memory);

// The sizes and offsets the adapter relies on; the test compares them with the real
// headers' (same list, compiled against both).
#define INTEROP_WT_LAYOUT(X)                                                                                 \
  X(sizeof(wasm_byte_vec_t)) X(offsetof(wasm_byte_vec_t, data)) X(sizeof(wasm_valtype_vec_t))            \
      X(offsetof(wasm_valtype_vec_t, data)) X(sizeof(wasmtime_func_t)) X(_Alignof(wasmtime_func_t))       \
      X(sizeof(wasmtime_memory_t)) X(_Alignof(wasmtime_memory_t)) X(sizeof(wasmtime_instance_t))          \
      X(sizeof(wasmtime_extern_t)) X(offsetof(wasmtime_extern_t, of)) X(sizeof(wasmtime_extern_union_t))  \
      X(offsetof(wasmtime_extern_t, of.func)) X(offsetof(wasmtime_extern_t, of.memory))                  \
      X(sizeof(wasmtime_val_raw_t)) X(_Alignof(wasmtime_val_raw_t)) X(sizeof(wasmtime_valunion_t))        \
      X(sizeof(wasmtime_val_t)) X(offsetof(wasmtime_val_t, of)) X(offsetof(wasmtime_val_t, of.i32))       \
      X(offsetof(wasmtime_val_t, of.i64)) X(sizeof(wasmtime_extern_kind_t)) X(sizeof(wasmtime_valkind_t)) \
      X(sizeof(wasm_valkind_t)) X(WASM_I32) X(WASM_I64) X(WASM_F32) X(WASM_F64) X(WASMTIME_I32)           \
      X(WASMTIME_I64) X(WASMTIME_EXTERN_FUNC) X(WASMTIME_EXTERN_MEMORY)

// ---- The adapter's own C side (engine_wasmtime_capi.c). ----

// At most this many parameters or results (the guest ABI has up to 4 parameters).
#define INTEROP_WT_MAX_VALS 4

// One looked-up export bound to its store: everything a call needs, in C memory, made
// once at lookup. raw is the unchecked call's buffer (arguments in, results out); args
// and results are the checked call's arrays, their kinds set once.
typedef struct interop_wt_fn {
  wasmtime_context_t *ctx;
  wasmtime_func_t fn;
  size_t nparams, nresults, nraw;
  wasmtime_val_raw_t raw[INTEROP_WT_MAX_VALS];
  wasmtime_val_t args[INTEROP_WT_MAX_VALS];
  wasmtime_val_t results[INTEROP_WT_MAX_VALS];
  // Set by a failed call: the engine's error or trap (the caller frees them), and for a
  // batch the index of the failing call and, on a wrong sum, what it returned.
  wasmtime_error_t *err;
  wasm_trap_t *trap;
  int32_t bad_index, bad_got;
} interop_wt_fn;

// The calls: each returns 0, or 1 after storing the error or trap in f.
int interop_wt_call_unchecked(uintptr_t h);
int interop_wt_call_checked(uintptr_t h);
// raw is the caller's own buffer of f->nraw values (Go stack memory through cgo).
int interop_wt_call_unchecked_nocb(interop_wt_fn *f, wasmtime_val_raw_t *raw);

// batch_crossing: k calls add_numbers(a+i, b) (wrapping), i < k, each result checked
// here. 0: all right, f->raw[0] / f->results[0] holds the last sum; 1: an error or trap
// at call f->bad_index; 2: call f->bad_index returned f->bad_got.
int interop_wt_batch_add_unchecked(uintptr_t h, int32_t k, int32_t a, int32_t b);
int interop_wt_batch_add_checked(uintptr_t h, int32_t k, int32_t a, int32_t b);
int interop_wt_batch_add_unchecked_nocb(uintptr_t h, int32_t k, int32_t a, int32_t b);

// env.host_inc defined on the linker as a C callback into Go.
wasmtime_error_t *interop_wt_define_host_inc(wasmtime_linker_t *linker);

// A scenario file's host function defined on the linker as a C callback (no Go): params and
// results are wasm_valkind_t values; it returns value, or with count the number of calls
// made to it through this linker so far (1 on the first).
wasmtime_error_t *interop_wt_define_import(wasmtime_linker_t *linker, const char *module, size_t module_len,
                                           const char *name, size_t name_len, const uint8_t *params,
                                           size_t nparams, const uint8_t *results, size_t nresults, int count,
                                           int64_t value);

// The INTEROP_WT_LAYOUT values as this file declares them; returns how many.
size_t interop_wt_layout(size_t *out, size_t cap);

#endif // INTEROP_WASMTIME_CAPI_H
