//! The Go driver, built once per content of its sources and reused: the first run with
//! given sources builds it (with a spinner while `go build` works), every later run
//! starts measuring at once. Kept in `$XDG_CACHE_HOME/interop-bench/go-host/<sha256>/`
//! (or `~/.cache/...`); the key is the sha256 of every non-test source file of `go/`
//! (paths and bytes), the folder they are in, the `go version`, and the environment that
//! changes what `go build` makes. The folder is in the key because the driver keeps it:
//! it builds the wasmer-go driver and the wasm2go workers from there, so a driver built by
//! another clone (one since deleted: a CI checkout) fails every wasm2go row with "needs the
//! Go host's sources" (2026-11-29, in the one cache a session and its CI share). The wasmer-go driver, which the Go driver builds beside itself
//! (`interop-go-host-wasmer`), is then reused from the same folder.

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Environment variables that change the binary `go build` makes.
const BUILD_ENV: &[&str] =
    &["CGO_ENABLED", "CC", "CGO_CFLAGS", "CGO_LDFLAGS", "GOFLAGS", "GOOS", "GOARCH", "GOAMD64", "GOEXPERIMENT", "GOTOOLCHAIN"];

/// `$XDG_CACHE_HOME/interop-bench/<part>` (or `~/.cache/interop-bench/<part>`): where the tool
/// keeps what it built or measured once and reuses (the Go driver; the capability probes).
pub fn tool_cache(part: &str) -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").ok_or_else(|| anyhow!("neither XDG_CACHE_HOME nor HOME is set"))?)
            .join(".cache"),
    };
    Ok(base.join("interop-bench").join(part))
}

/// Source files that go into the driver: everything under `dir` but tests, hidden
/// folders and `testdata`, sorted.
fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let ty = e.file_type()?;
            if name.starts_with('.') || name == "testdata" {
                continue;
            }
            if ty.is_dir() {
                stack.push(path);
            } else if ty.is_file() && !name.ends_with("_test.go") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The cache key of the driver built from `dir` with `go_version`.
pub fn key(dir: &Path, go_version: &str) -> Result<String> {
    let mut h = Sha256::new();
    h.update(go_version.as_bytes());
    let folder = std::fs::canonicalize(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    h.update(format!("\0{}", folder.display()).as_bytes());
    for v in BUILD_ENV {
        h.update(format!("\0{v}={}", std::env::var(v).unwrap_or_default()).as_bytes());
    }
    for f in sources(dir)? {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        h.update(format!("\0{}\0", rel.display()).as_bytes());
        h.update(std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?);
    }
    Ok(hex::encode(h.finalize()))
}

/// The Go driver for the sources in `dir`: from the cache, or built into it now.
pub fn driver(dir: &Path, go_version: &str) -> Result<PathBuf> {
    let key = key(dir, go_version)?;
    let folder = tool_cache("go-host")?.join(&key[..16]);
    let program = folder.join("interop-go-host");
    if program.is_file() {
        return Ok(program);
    }
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let tmp = folder.join(format!("interop-go-host.tmp{}", std::process::id()));
    let spinner = ProgressBar::new_spinner();
    let about = format!("building the Go driver with {go_version} (once for these sources; cached in {})", folder.display());
    if spinner.is_hidden() {
        eprintln!("interop-bench: {about}");
    }
    spinner.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("template"));
    spinner.set_message(about);
    spinner.enable_steady_tick(Duration::from_millis(120));
    let out = Command::new("go").current_dir(dir).args(["build", "-o"]).arg(&tmp).arg("./cmd/interop-go-host").output();
    spinner.finish_and_clear();
    let out = out.context("cannot run `go build`")?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&tmp);
        bail!("building the Go driver with {go_version} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    // Atomic: a run beside this one sees no driver or a whole one.
    std::fs::rename(&tmp, &program).with_context(|| format!("cannot move the Go driver to {}", program.display()))?;
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_the_sources_not_the_tests() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("cmd/x")).unwrap();
        std::fs::write(d.path().join("go.mod"), "module m\n").unwrap();
        std::fs::write(d.path().join("cmd/x/main.go"), "package main\n").unwrap();
        let k0 = key(d.path(), "go1.26").unwrap();
        assert_eq!(k0, key(d.path(), "go1.26").unwrap());
        std::fs::write(d.path().join("cmd/x/main_test.go"), "package main\n").unwrap();
        assert_eq!(k0, key(d.path(), "go1.26").unwrap(), "a test file changes no binary");
        assert_ne!(k0, key(d.path(), "go1.27").unwrap());
        std::fs::write(d.path().join("cmd/x/main.go"), "package main // changed\n").unwrap();
        assert_ne!(k0, key(d.path(), "go1.26").unwrap());
    }

    #[test]
    fn two_clones_of_the_same_sources_have_drivers_of_their_own() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for d in [a.path(), b.path()] {
            std::fs::create_dir_all(d.join("cmd/x")).unwrap();
            std::fs::write(d.join("cmd/x/main.go"), "package main\n").unwrap();
        }
        assert_ne!(key(a.path(), "go1.26").unwrap(), key(b.path(), "go1.26").unwrap());
    }
}
