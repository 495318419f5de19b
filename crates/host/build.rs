//! Compiles the callgrind client requests of `run --counts` (csrc/callgrind.c). Without
//! valgrind's headers the shim compiles to stubs that say so (scripts/install-deps.sh
//! installs them; rebuild after installing).
fn main() {
    println!("cargo:rerun-if-changed=csrc/callgrind.c");
    let header = "/usr/include/valgrind/callgrind.h";
    // Only an existing file: a missing one would rerun this script on every build.
    if std::path::Path::new(header).exists() {
        println!("cargo:rerun-if-changed={header}");
    }
    cc::Build::new().file("csrc/callgrind.c").opt_level(2).compile("interop_callgrind");
}
