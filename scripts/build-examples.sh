#!/bin/sh
# Builds the example plugin modules (examples/): the Rust wasm32-wasip1 plugin and the C
# wasm32-wasi one (clang + wasi-libc, from scripts/install-deps.sh). Adds the
# rustup target when it is missing, as crates/guest-build/build.rs does for the guest.
# Output: examples/rust-plugin/target/rust_plugin.wasm, examples/c-plugin/target/c_plugin.wasm
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=wasm32-wasip1
sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/$target/lib" ]; then
    echo "installing the $target target with rustup (needed to build examples/rust-plugin)" >&2
    rustup target add "$target"
fi
dir="$root/examples/rust-plugin"
cargo build --locked --release --target "$target" --manifest-path "$dir/Cargo.toml" --target-dir "$dir/target"
cp "$dir/target/$target/release/rust_plugin.wasm" "$dir/target/rust_plugin.wasm"
echo "$dir/target/rust_plugin.wasm"

# The C plugin: clang with wasi-libc (Debian: clang-14, lld-14, wasi-libc,
# libclang-rt-14-dev-wasm32, installed by scripts/install-deps.sh).
dir="$root/examples/c-plugin"
mkdir -p "$dir/target"
clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor -o "$dir/target/c_plugin.wasm" "$dir/plugin.c"
echo "$dir/target/c_plugin.wasm"
