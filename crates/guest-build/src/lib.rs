//! The guest module's bytes and how they were built. Every Rust host loads these bytes;
//! the Go host loads the same file (`guest/target/interop_guest.wasm`). Other builds of the
//! same guest ([`variant`]: opt-level, SIMD, allocator) are built on demand and cached.

pub mod variant;

pub use variant::{Alloc, Opt, Variant};

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

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
pub fn guest_path() -> PathBuf {
    guest_dir().join("target/interop_guest.wasm")
}

/// The guest crate's directory (`guest/`).
pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest")
}

/// The build settings of a variant, as recorded in a results file.
pub fn variant_flags(v: Variant) -> Vec<(String, String)> {
    let base = base_rustflags();
    vec![
        ("target".into(), env!("INTEROP_GUEST_TARGET").into()),
        ("profile".into(), env!("INTEROP_GUEST_PROFILE").into()),
        ("opt-level".into(), v.opt_level().into()),
        ("rustflags".into(), v.rustflags(&base).join(" ")),
        ("features".into(), v.feature_args().join(" ")),
        ("allocator".into(), v.alloc.crate_version().into()),
        ("rustc".into(), RUSTC.into()),
        ("profile_settings".into(), format!("opt-level={} lto=true codegen-units=1 panic=abort (guest/Cargo.toml)", v.opt_level())),
    ]
}

fn base_rustflags() -> Vec<String> {
    env!("INTEROP_GUEST_RUSTFLAGS_ENCODED").split('\x1f').filter(|s| !s.is_empty()).map(String::from).collect()
}

/// A variant's module: its bytes and where they are on disk (for hosts that read a file).
#[derive(Debug, Clone)]
pub struct BuiltVariant {
    pub variant: Variant,
    pub wasm: Vec<u8>,
    pub path: PathBuf,
    /// Taken from the cache (or, for the default, the module embedded at build time).
    pub cached: bool,
}

/// Where built variants are kept: `guest/target/variants/<name>.wasm`, beside a `.key` file
/// (sha256 of the guest's sources, its build files, the variant's flags and the rustc).
pub fn variants_dir() -> PathBuf {
    guest_dir().join("target/variants")
}

/// The module of a variant: the default is the module built with the host (embedded);
/// another is built with cargo the first time (about a second or two each), then taken
/// from `guest/target/variants/` for as long as the guest's sources, its build files and
/// the rustc are the same.
pub fn build_variant(v: Variant) -> Result<BuiltVariant, String> {
    if v == Variant::DEFAULT {
        return Ok(BuiltVariant { variant: v, wasm: GUEST_WASM.to_vec(), path: guest_path(), cached: true });
    }
    let guest = guest_dir();
    let dir = variants_dir();
    let name = v.name();
    let out = dir.join(format!("{name}.wasm"));
    let key_file = dir.join(format!("{name}.key"));
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-V")
        .current_dir(&guest)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .map_err(|e| format!("cannot run rustc to build guest variant {name}: {e}"))?;
    let profile = env!("INTEROP_GUEST_PROFILE");
    let target = env!("INTEROP_GUEST_TARGET");
    let rustflags = v.rustflags(&base_rustflags());
    let key = cache_key(&guest, &[&name, &rustc, target, profile, &rustflags.join(" ")])
        .map_err(|e| format!("cannot read the guest's sources in {}: {e}", guest.display()))?;
    if std::fs::read_to_string(&key_file).ok().as_deref() == Some(key.as_str()) {
        if let Ok(wasm) = std::fs::read(&out) {
            return Ok(BuiltVariant { variant: v, wasm, path: out, cached: true });
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir = guest.join("target").join(format!("variant-{name}"));
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&guest)
        .args(["build", "--locked", "--quiet", "--target", target, "--profile", profile])
        .args(v.feature_args())
        .arg("--target-dir")
        .arg(&target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"));
    for var in ["RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_PROFILE_") || k.starts_with("CARGO_CFG_") || k.starts_with("CARGO_FEATURE_") {
            cmd.env_remove(k);
        }
    }
    let (k, val) = v.cargo_env(profile);
    cmd.env(k, val);
    let o = cmd.output().map_err(|e| format!("cannot run {cargo} to build guest variant {name}: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "building guest variant {name} ({}) failed:\n{}",
            v.about(),
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let built = target_dir.join(target).join(profile_dir).join("interop_guest.wasm");
    let wasm = std::fs::read(&built).map_err(|e| format!("guest variant {name}: cannot read {}: {e}", built.display()))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Written beside and renamed, so a concurrent reader sees a whole file or none.
    let tmp = dir.join(format!("{name}.wasm.tmp{}", std::process::id()));
    std::fs::write(&tmp, &wasm)
        .and_then(|_| std::fs::rename(&tmp, &out))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let tmp = dir.join(format!("{name}.key.tmp{}", std::process::id()));
    std::fs::write(&tmp, &key)
        .and_then(|_| std::fs::rename(&tmp, &key_file))
        .map_err(|e| format!("cannot write {}: {e}", key_file.display()))?;
    Ok(BuiltVariant { variant: v, wasm, path: out, cached: false })
}

/// sha256 over the guest's sources (`src/`, every file, in path order), its build files and `extra`.
fn cache_key(guest: &Path, extra: &[&str]) -> std::io::Result<String> {
    let mut files = Vec::new();
    let mut stack = vec![guest.join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files.extend(["Cargo.toml", "Cargo.lock", "build-flags.toml"].map(|f| guest.join(f)));
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(guest).unwrap_or(&f).to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(&f)?);
        h.update([0]);
    }
    for e in extra {
        h.update(e.as_bytes());
        h.update([0]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_name_parses_back_and_names_are_unique() {
        let all = Variant::all();
        assert_eq!(all.len(), 12);
        let mut names: Vec<String> = all.iter().map(|v| v.name()).collect();
        for v in &all {
            assert_eq!(Variant::parse(&v.name()), Ok(*v));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 12);
        assert_eq!(Variant::DEFAULT.name(), "o3");
        assert_eq!(Variant::SEED.name(), "os-wee_alloc");
        let e = Variant::parse("o2").unwrap_err();
        assert!(e.contains("`o2`") && e.contains("os-simd-talc"), "{e}");
    }

    #[test]
    fn a_variants_flags_say_what_differs() {
        let v = Variant::parse("os-simd-talc").unwrap();
        let flags: std::collections::BTreeMap<_, _> = variant_flags(v).into_iter().collect();
        assert_eq!(flags["opt-level"], "s");
        assert!(flags["rustflags"].ends_with("target-feature=+simd128"), "{}", flags["rustflags"]);
        assert!(flags["features"].contains("talc"));
        let d: std::collections::BTreeMap<_, _> = variant_flags(Variant::DEFAULT).into_iter().collect();
        assert!(!d["rustflags"].contains("simd128") && d["opt-level"] == "3");
        assert_eq!(v.cargo_env("release"), ("CARGO_PROFILE_RELEASE_OPT_LEVEL".into(), "s".into()));
    }

    /// Builds one non-default variant (a second or two the first time, cached after) and
    /// checks that the cache returns the same bytes and that the module differs from the default.
    #[test]
    fn a_variant_is_built_once_and_then_cached() {
        let v = Variant::parse("os").unwrap();
        let first = build_variant(v).expect("build os");
        assert!(first.wasm.starts_with(b"\0asm"), "not a module");
        assert_ne!(first.wasm, GUEST_WASM, "opt-level s built the same bytes as opt-level 3");
        let again = build_variant(v).expect("os again");
        assert!(again.cached, "the second build of an unchanged guest came from cargo, not the cache");
        assert_eq!(again.wasm, first.wasm);
        assert_eq!(std::fs::read(&again.path).unwrap(), first.wasm);
    }
}
