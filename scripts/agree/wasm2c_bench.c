/* An independent timing of the wasm2c rows (scripts/agree-translated.sh): loads the very
   shared object the tool built (its cache), instantiates the guest through the tool's
   shim entry points, and times each case with clock_gettime around N calls, every result
   checked. Usage: wasm2c_bench GUEST.so N
   Prints `case api ns_per_op` lines. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wasm-rt.h"

static void* lib;
static void* sym(const char* name) {
  void* p = dlsym(lib, name);
  if (!p) { fprintf(stderr, "wasm2c_bench: no symbol %s: %s\n", name, dlerror()); exit(2); }
  return p;
}
static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}
static void fail(const char* what) { fprintf(stderr, "wasm2c_bench: %s\n", what); exit(1); }

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s GUEST.so ITERATIONS\n", argv[0]); return 2; }
  long n = atol(argv[2]);
  if (n <= 0) fail("ITERATIONS must be a positive number");
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { fprintf(stderr, "wasm2c_bench: %s\n", dlerror()); return 2; }
  ((void (*)(void))sym("interop_init_module"))();
  void* inst = calloc(1, ((size_t (*)(void))sym("interop_instance_size"))());
  if (((int (*)(void*))sym("interop_instantiate"))(inst) != 0) fail("instantiate trapped");
  wasm_rt_memory_t* (*memory)(void*) = (wasm_rt_memory_t* (*)(void*))sym("interop_memory");
  void (*no_op)(void*) = (void (*)(void*))sym("Z_guestZ_no_op");
  int (*g_no_op)(void*) = (int (*)(void*))sym("interop_g_no_op");
  uint32_t (*add)(void*, uint32_t, uint32_t) = (uint32_t (*)(void*, uint32_t, uint32_t))sym("Z_guestZ_add_numbers");
  int (*g_add)(void*, uint32_t, uint32_t, uint32_t*) = (int (*)(void*, uint32_t, uint32_t, uint32_t*))sym("interop_g_add_numbers");
  uint32_t (*allocate)(void*, uint32_t) = (uint32_t (*)(void*, uint32_t))sym("Z_guestZ_allocate");
  int (*g_reverse)(void*, uint32_t, uint32_t) = (int (*)(void*, uint32_t, uint32_t))sym("interop_g_reverse_string_in_place");
  int (*g_sum)(void*, uint32_t, uint32_t, uint32_t*) = (int (*)(void*, uint32_t, uint32_t, uint32_t*))sym("interop_g_sum_array");
  double t;

  t = now_ns();
  for (long i = 0; i < n; i++) no_op(inst);
  printf("noop unguarded %.3f\n", (now_ns() - t) / n);
  t = now_ns();
  for (long i = 0; i < n; i++) if (g_no_op(inst)) fail("no_op trapped");
  printf("noop guarded %.3f\n", (now_ns() - t) / n);

  t = now_ns();
  for (long i = 0; i < n; i++) if (add(inst, (uint32_t)i, 20) != (uint32_t)i + 20) fail("add_numbers is wrong");
  printf("add unguarded %.3f\n", (now_ns() - t) / n);
  t = now_ns();
  for (long i = 0; i < n; i++) {
    uint32_t r;
    if (g_add(inst, (uint32_t)i, 20, &r) || r != (uint32_t)i + 20) fail("add_numbers is wrong");
  }
  printf("add guarded %.3f\n", (now_ns() - t) / n);

  /* The 51-byte string through the memory view, guarded calls (the tool's view rows). */
  enum { S = 51, A = 10000 };
  uint8_t src[S], dst[S];
  for (int i = 0; i < S; i++) src[i] = (uint8_t)('a' + i % 26);
  uint32_t p = allocate(inst, S);
  if (!p) fail("allocate returned 0");
  t = now_ns();
  for (long i = 0; i < n; i++) {
    uint8_t* mem = memory(inst)->data;
    memcpy(mem + p, src, S);
    if (g_reverse(inst, p, S)) fail("reverse_string_in_place trapped");
    memcpy(dst, memory(inst)->data + p, S);
    if (dst[0] != src[S - 1] || dst[S - 1] != src[0]) fail("the string came back unreversed");
  }
  printf("string_roundtrip/bytes=51 view %.3f\n", (now_ns() - t) / n);

  /* sum_array of 10000 i32 with its copy in (the tool's view rows). */
  static int32_t arr[A];
  uint32_t want = 0;
  for (uint32_t i = 0; i < A; i++) { arr[i] = (int32_t)(i * 2654435761u + 12345u); want += (uint32_t)arr[i]; }
  uint32_t q = allocate(inst, 4 * A);
  if (!q) fail("allocate returned 0");
  long m = n / 100 > 0 ? n / 100 : 1;
  t = now_ns();
  for (long i = 0; i < m; i++) {
    uint32_t s;
    memcpy(memory(inst)->data + q, arr, sizeof arr);
    if (g_sum(inst, q, A, &s) || s != want) fail("sum_array is wrong");
  }
  printf("sum_array/len=10000 view %.3f\n", (now_ns() - t) / m);
  return 0;
}
