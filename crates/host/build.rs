//! Compiles the callgrind client requests of `run --counts` (csrc/callgrind.c).
fn main() {
    println!("cargo:rerun-if-changed=csrc/callgrind.c");
    println!("cargo:rerun-if-changed=/usr/include/valgrind/callgrind.h");
    cc::Build::new().file("csrc/callgrind.c").opt_level(2).compile("interop_callgrind");
}
