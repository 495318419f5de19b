#!/usr/bin/env bash
# Installs what the build and tests need beyond crates and Go modules, only when missing.
# The wasm32 target is installed by crates/guest-build/build.rs (rustup target add).
set -euo pipefail

need=()
# Debian packages: name of the package, and a file or command that shows it is installed.
check() { # check PACKAGE TEST...
  local pkg=$1; shift
  if ! "$@" >/dev/null 2>&1; then need+=("$pkg"); fi
}
# Headless Chromium: the HTML report's screenshot test renders the page with it.
check chromium command -v chromium
# libclang: the wasm3 crate generates its C bindings with bindgen at build time.
check libclang-dev dpkg -s libclang-dev
# WABT: the wasm2c runtime (Rust host) translates the guest to C with wasm2c and compiles
# it with the system C compiler against the runtime Debian ships (/usr/share/wabt/wasm2c).
check wabt command -v wasm2c
# jq: scripts/agree-seed.sh reads the tool's results file with it.
check jq command -v jq
# C for wasm32-wasi (examples/c-plugin): clang, its linker, wasi-libc and the wasm32 builtins.
check clang-14 command -v clang-14
check lld-14 command -v wasm-ld-14
check wasi-libc dpkg -s wasi-libc
check libclang-rt-14-dev-wasm32 dpkg -s libclang-rt-14-dev-wasm32
# valgrind: `interop-bench run --counts` counts instructions under its callgrind tool, and
# both hosts' workers include <valgrind/callgrind.h> for its client requests (the package
# ships the headers). Install it before building, or rebuild after installing it.
check valgrind test -f /usr/include/valgrind/callgrind.h

if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup)"; exit 1; }
command -v go >/dev/null || echo "note: no Go toolchain: the Go host and its tests will be skipped"
exit 0
