//! `greet(ptr, len) -> i64`: reads a UTF-8 name the host wrote at `ptr`, returns a new
//! buffer `Hello, <NAME>!` (the name upper-cased) as `ptr << 32 | len`; the host frees it
//! with `plugin_free(ptr, len)`. Buffers come from `plugin_alloc`. Each call logs through
//! the host function `env.host_log(len) -> i32` and reads the environment through WASI
//! (`environ_sizes_get`: with nothing granted, none).

#[link(wasm_import_module = "env")]
extern "C" {
    fn host_log(len: i32) -> i32;
}

#[no_mangle]
pub extern "C" fn plugin_alloc(size: i32) -> i32 {
    let mut v = Vec::<u8>::with_capacity(size.max(0) as usize);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p as i32
}

/// # Safety
/// `ptr` and `size` are a buffer from `plugin_alloc(size)` or returned by `greet`.
#[no_mangle]
pub unsafe extern "C" fn plugin_free(ptr: i32, size: i32) {
    drop(Vec::from_raw_parts(ptr as *mut u8, 0, size as usize));
}

/// # Safety
/// `ptr..ptr+len` is memory the host wrote.
#[no_mangle]
pub unsafe extern "C" fn greet(ptr: i32, len: i32) -> i64 {
    let name = std::slice::from_raw_parts(ptr as *const u8, len as usize);
    let mut out = Vec::with_capacity(name.len() + 8);
    out.extend_from_slice(b"Hello, ");
    out.extend(name.iter().map(u8::to_ascii_uppercase));
    // With no environment granted this adds nothing; it makes the module a WASI client.
    out.extend(std::env::vars_os().map(|_| b'+'));
    out.push(b'!');
    host_log(out.len() as i32);
    let out = out.into_boxed_slice();
    let n = out.len() as u32;
    let p = Box::into_raw(out) as *mut u8 as u32;
    ((p as i64) << 32) | n as i64
}
