//! The guest module every host loads: the seed's exports with the seed's names and
//! signatures, plus the few our scenarios need. `no_std` so that nothing precompiled
//! with post-MVP instructions gets in (see `guest/build-flags.toml`).
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

// The global allocator is a build variant (crates/guest-build: `o3`, `os-wee_alloc`, ...):
// exactly one of the features `dlmalloc` (the default), `wee_alloc`, `talc`.
#[cfg(any(
    all(feature = "dlmalloc", feature = "wee_alloc"),
    all(feature = "dlmalloc", feature = "talc"),
    all(feature = "wee_alloc", feature = "talc"),
    not(any(feature = "dlmalloc", feature = "wee_alloc", feature = "talc")),
))]
compile_error!("build the guest with exactly one allocator feature: dlmalloc, wee_alloc or talc");

#[cfg(feature = "dlmalloc")]
#[global_allocator]
static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[cfg(feature = "wee_alloc")]
#[global_allocator]
static ALLOC: wee_alloc::WeeAlloc = wee_alloc::WeeAlloc::INIT;

// SAFETY: the guest is single-threaded (wasm32 without threads), which `TalckWasm`'s
// no-op lock assumes.
#[cfg(feature = "talc")]
#[global_allocator]
static ALLOC: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[link(wasm_import_module = "env")]
extern "C" {
    /// Provided by every host: returns `x + 1`. `call_host` uses it to measure
    /// the wasm-to-host crossing.
    fn host_inc(x: i32) -> i32;
}

/// The crossing alone.
#[no_mangle]
pub extern "C" fn no_op() {}

/// Two i32 in, one out.
#[no_mangle]
pub extern "C" fn add_numbers(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Reserves `size` bytes in linear memory and returns their offset (the seed's `allocate`).
#[no_mangle]
pub extern "C" fn allocate(size: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(size);
    let ptr = v.as_mut_ptr();
    core::mem::forget(v);
    ptr
}

/// Releases what `allocate(capacity)` returned.
///
/// # Safety
/// `ptr` must come from `allocate(capacity)` (or `produce_buffer`) and not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn deallocate(ptr: *mut u8, capacity: usize) {
    drop(Vec::from_raw_parts(ptr, 0, capacity));
}

/// Reverses `len` bytes at `ptr` in place.
///
/// # Safety
/// `ptr..ptr+len` must lie in linear memory.
#[no_mangle]
pub unsafe extern "C" fn reverse_string_in_place(ptr: *mut u8, len: usize) {
    core::slice::from_raw_parts_mut(ptr, len).reverse();
}

/// Wrapping sum of `len` i32 at `ptr`.
///
/// # Safety
/// `ptr..ptr+4*len` must lie in linear memory, 4-byte aligned.
#[no_mangle]
pub unsafe extern "C" fn sum_array(ptr: *const i32, len: usize) -> i32 {
    core::slice::from_raw_parts(ptr, len)
        .iter()
        .fold(0i32, |acc, x| acc.wrapping_add(*x))
}

/// `out[i] = a[i] + b[i]` for `n` i32: n additions for the price of one crossing.
///
/// # Safety
/// The three arrays of `n` i32 must lie in linear memory, 4-byte aligned.
#[no_mangle]
pub unsafe extern "C" fn batch_add(a: *const i32, b: *const i32, out: *mut i32, n: usize) {
    let a = core::slice::from_raw_parts(a, n);
    let b = core::slice::from_raw_parts(b, n);
    let out = core::slice::from_raw_parts_mut(out, n);
    for i in 0..n {
        out[i] = a[i].wrapping_add(b[i]);
    }
}

/// Calls the host's `host_inc` `k` times, threading the value through: returns `k`
/// when every host call answered `x + 1`.
#[no_mangle]
pub extern "C" fn call_host(k: i32) -> i32 {
    let mut acc = 0;
    for _ in 0..k {
        acc = unsafe { host_inc(acc) };
    }
    acc
}

/// Returns a new buffer of `len` bytes, byte `i` = `(seed + i) as u8`, packed as
/// `(ptr << 32) | len` in one i64 (WebAssembly 1.0 has no multi-value returns).
/// The host copies it out and gives it back with `deallocate(ptr, len)`.
#[no_mangle]
pub extern "C" fn produce_buffer(len: usize, seed: i32) -> i64 {
    let mut v = Vec::<u8>::with_capacity(len);
    for i in 0..len {
        v.push((seed as usize).wrapping_add(i) as u8);
    }
    let ptr = v.as_mut_ptr();
    core::mem::forget(v);
    ((ptr as u32 as i64) << 32) | (len as u32 as i64)
}
