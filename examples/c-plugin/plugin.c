// The Rust example plugin's twin in C (wasm32-wasi, wasi-libc): the same allocator ABI,
// host function and string-in/string-out export, so the same scenario file checks both.
//
// greet(ptr, len) -> i64: reads a name the host wrote at ptr, returns a new buffer
// "Hello, <NAME>!" (upper-cased) as ptr << 32 | len, freed with plugin_free(ptr, len).
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

__attribute__((import_module("env"), import_name("host_log"))) int32_t host_log(int32_t len);

__attribute__((export_name("plugin_alloc"))) int32_t plugin_alloc(int32_t size) {
    return (int32_t)(uintptr_t)malloc(size > 0 ? (size_t)size : 1);
}

__attribute__((export_name("plugin_free"))) void plugin_free(int32_t ptr, int32_t size) {
    (void)size;
    free((void *)(uintptr_t)ptr);
}

__attribute__((export_name("greet"))) int64_t greet(int32_t ptr, int32_t len) {
    const unsigned char *name = (const unsigned char *)(uintptr_t)ptr;
    size_t env = 0; // with nothing granted, no environment: adds nothing
    for (char **e = environ; e && *e; e++) env++;
    size_t n = 7 + (size_t)len + env + 1;
    unsigned char *out = malloc(n);
    memcpy(out, "Hello, ", 7);
    for (int32_t i = 0; i < len; i++) out[7 + i] = (unsigned char)toupper(name[i]);
    memset(out + 7 + len, '+', env);
    out[n - 1] = '!';
    host_log((int32_t)n);
    return ((int64_t)(uint32_t)(uintptr_t)out << 32) | (uint32_t)n;
}
