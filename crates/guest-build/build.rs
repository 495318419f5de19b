//! Builds `guest/` for wasm32 with the flags in `guest/build-flags.toml`, installing the
//! rustup target first when it is missing, so that a fresh clone needs nothing by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

#[allow(dead_code)]
#[path = "src/variant.rs"]
mod variant;
use variant::Variant;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.join("../..").canonicalize().expect("repository root");
    let guest = root.join("guest");
    for p in ["src", "Cargo.toml", "Cargo.lock", "build-flags.toml"] {
        println!("cargo:rerun-if-changed={}", guest.join(p).display());
    }

    let flags_text = std::fs::read_to_string(guest.join("build-flags.toml")).expect("guest/build-flags.toml");
    let flags: toml::Table = flags_text.parse().expect("guest/build-flags.toml is TOML");
    let target = flags["target"].as_str().expect("target").to_string();
    let profile = flags["profile"].as_str().expect("profile").to_string();
    let rustflags: Vec<String> =
        flags["rustflags"].as_array().expect("rustflags").iter().map(|v| v.as_str().unwrap().to_string()).collect();

    ensure_target(&target);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir = guest.join("target");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&guest)
        .args(["build", "--locked", "--target", &target, "--profile", &profile])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(Variant::DEFAULT.feature_args())
        .env("CARGO_ENCODED_RUSTFLAGS", Variant::DEFAULT.rustflags(&rustflags).join("\x1f"));
    // The outer build's settings must not leak into the guest's.
    for var in ["RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_PROFILE_") || k.starts_with("CARGO_CFG_") || k.starts_with("CARGO_FEATURE_") {
            cmd.env_remove(k);
        }
    }
    // The default variant's opt-level (set after the outer build's CARGO_PROFILE_* are removed).
    let (k, v) = Variant::DEFAULT.cargo_env(&profile);
    cmd.env(k, v);
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot run {cargo} to build the guest: {e}"));
    if !status.success() {
        panic!("building the guest module (guest/) for {target} failed: see the cargo output above");
    }
    let profile_dir = if profile == "dev" { "debug" } else { profile.as_str() };
    let wasm = target_dir.join(&target).join(profile_dir).join("interop_guest.wasm");
    assert!(wasm.exists(), "the guest build produced no {}", wasm.display());

    // A stable path for hosts that read the module from disk (the Go host).
    std::fs::copy(&wasm, target_dir.join("interop_guest.wasm")).expect("copy guest to guest/target");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("interop_guest.wasm");
    std::fs::copy(&wasm, &out).expect("copy guest");
    println!("cargo:rustc-env=INTEROP_GUEST_WASM={}", out.display());
    println!("cargo:rustc-env=INTEROP_GUEST_TARGET={target}");
    println!("cargo:rustc-env=INTEROP_GUEST_PROFILE={profile}");
    println!("cargo:rustc-env=INTEROP_GUEST_RUSTFLAGS={}", rustflags.join(" "));
    // The same, one flag per \x1f-separated field, for the variants built at run time.
    println!("cargo:rustc-env=INTEROP_GUEST_RUSTFLAGS_ENCODED={}", rustflags.join("\x1f"));
    println!("cargo:rustc-env=INTEROP_GUEST_RUSTC={}", rustc_version());
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// `rustup target add` when the target's standard library is not installed.
fn ensure_target(target: &str) {
    let sysroot = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(root) = &sysroot {
        if has_target(root, target) {
            return;
        }
    }
    eprintln!("installing the {target} target with rustup (needed to build the guest module)");
    let ok = Command::new("rustup").args(["target", "add", target]).status().map(|s| s.success()).unwrap_or(false);
    if !ok {
        panic!(
            "the {target} standard library is missing and `rustup target add {target}` failed; \
             install it and build again"
        );
    }
}

fn has_target(sysroot: &Path, target: &str) -> bool {
    sysroot.join("lib/rustlib").join(target).join("lib").is_dir()
}
