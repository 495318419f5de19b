#!/bin/sh
# Builds the example plugin modules (examples/): the Rust wasm32-wasip1 plugin. Adds the
# rustup target when it is missing, as crates/guest-build/build.rs does for the guest.
# Output: examples/rust-plugin/target/rust_plugin.wasm
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
