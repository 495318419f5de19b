//! The guest module's bytes and how they were built. Every Rust host loads these bytes;
//! the Go host loads the same file (`guest/target/interop_guest.wasm`).

/// The guest module, built by this crate's build script from `guest/`.
pub static GUEST_WASM: &[u8] = include_bytes!(env!("INTEROP_GUEST_WASM"));

/// The rustc that built the guest (and, in one build, the host).
pub const RUSTC: &str = env!("INTEROP_GUEST_RUSTC");

/// The build settings recorded in every results file.
pub fn build_flags() -> Vec<(&'static str, &'static str)> {
    vec![
        ("target", env!("INTEROP_GUEST_TARGET")),
        ("profile", env!("INTEROP_GUEST_PROFILE")),
        ("rustflags", env!("INTEROP_GUEST_RUSTFLAGS")),
        ("rustc", env!("INTEROP_GUEST_RUSTC")),
        ("profile_settings", "opt-level=3 lto=true codegen-units=1 panic=abort (guest/Cargo.toml)"),
    ]
}

/// Where the build leaves a copy of the module for hosts that read it from disk
/// (the Go host): `guest/target/interop_guest.wasm`.
pub fn guest_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest/target/interop_guest.wasm")
}
