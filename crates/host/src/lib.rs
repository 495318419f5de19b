//! interop-host: the Rust host. Runtime adapters ([`adapter`], [`runtimes`]), the timed
//! loop ([`measure`]) and the scenarios written once over the adapter interface ([`runner`]).

pub mod adapter;
pub mod counts;
pub mod fit;
pub mod limits;
pub mod measure;
pub mod native;
pub mod plugin;
pub mod runner;
pub mod runtimes;

pub use interop_guest_build::{build_flags as guest_build_flags, guest_path, GUEST_WASM, RUSTC};

/// The host-language label in every row this crate produces.
pub const HOST: &str = "rust";
