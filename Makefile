# The two commands of a fresh machine (see README.md):
#   make bench   runs the whole suite on every host and runtime and prints the report
#   make test    runs every test, Rust and Go
# Everything they need that is not a crate or a Go module (the wasm32 target, Debian
# packages) is installed by the project's own scripts, never by hand.

.PHONY: bench test test-rust test-go deps examples

bench: deps
	cargo run --release -- run

test: deps test-rust test-go

# One release build serves the tests and the benchmark (no separate debug build of the engines).
# The paired benches the agree scripts run (crates/host/benches) are built too, not run, so
# that one that no longer compiles fails here and not when its script is next used.
test-rust:
	cargo test --release --workspace
	cargo bench --workspace --no-run --bench '*'

# The Go host reads the guest built by the Rust build above (guest/target/interop_guest.wasm).
# The wasmer-go adapters live in a build of their own (-tags wasmer: wasmer-go and
# wasmtime-go cannot share a binary), so their package tests run once more with the tag.
test-go:
	@if command -v go >/dev/null; then cd go && go test ./... && go test -tags wasmer ./bench; \
	else echo "Go tests skipped: no Go toolchain"; fi

deps:
	@./scripts/install-deps.sh

# The example plugin modules (examples/), built with their own toolchains' targets.
examples:
	@./scripts/build-examples.sh
