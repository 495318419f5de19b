//! The registry: every runtime this build contains. Adding a runtime is adding a file
//! here and a line in [`all`].

use crate::native::Native;
use crate::runner::Runtime;

#[cfg(feature = "wasmtime")]
pub mod wasmtime;

/// Every runtime compiled into this build, the native baseline first.
pub fn all() -> Vec<Box<dyn Runtime>> {
    #[allow(unused_mut)]
    let mut v: Vec<Box<dyn Runtime>> = vec![Box::new(Native)];
    #[cfg(feature = "wasmtime")]
    v.push(Box::new(crate::runner::Wasm(wasmtime::Wasmtime::cranelift())));
    v
}

/// The runtime called `name` (e.g. `wasmtime`, `native`).
pub fn find(name: &str) -> Option<Box<dyn Runtime>> {
    all().into_iter().find(|r| r.info().runtime == name)
}
