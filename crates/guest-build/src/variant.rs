//! Guest build variants: the same guest source built with another optimisation level, with
//! or without WebAssembly SIMD (`simd128`), and with another global allocator. A variant is
//! named `o3`, `os`, `o3-simd`, `os-wee_alloc`, `o3-simd-talc`, ...: the opt-level, `-simd`
//! when the guest may use SIMD, and the allocator unless it is the default dlmalloc.
//!
//! Plain std only: the build script (`build.rs`) includes this file to build the default
//! variant with the same settings the library uses for the others.

use std::fmt;

/// `opt-level` of the guest's release profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Opt {
    /// `opt-level = 3` (guest/Cargo.toml's own setting).
    O3,
    /// `opt-level = "s"`, the founding document's setting (optimise for size).
    Os,
}

/// The guest's global allocator: a cargo feature of the guest crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Alloc {
    Dlmalloc,
    WeeAlloc,
    Talc,
}

impl Alloc {
    pub const ALL: [Alloc; 3] = [Alloc::Dlmalloc, Alloc::WeeAlloc, Alloc::Talc];

    /// The guest crate's feature, and the allocator's name in a variant name.
    pub fn feature(self) -> &'static str {
        match self {
            Alloc::Dlmalloc => "dlmalloc",
            Alloc::WeeAlloc => "wee_alloc",
            Alloc::Talc => "talc",
        }
    }

    /// The crate and version (guest/Cargo.toml pins them).
    pub fn crate_version(self) -> &'static str {
        match self {
            Alloc::Dlmalloc => "dlmalloc 0.2.14",
            Alloc::WeeAlloc => "wee_alloc 0.4.5",
            Alloc::Talc => "talc 4.4.3",
        }
    }

    /// What a reader should know about it.
    pub fn note(self) -> &'static str {
        match self {
            Alloc::Dlmalloc => "the allocator of Rust's own std on wasm32 (Doug Lea's malloc), compiled from source",
            Alloc::WeeAlloc => {
                "the founding document's allocator; unmaintained since 2022 (RUSTSEC-2022-0054: memory leaks, \
                 no maintainer), measured because the seed uses it, not recommended"
            }
            Alloc::Talc => "a maintained small allocator with a wasm32 backend (TalckWasm, single-threaded)",
        }
    }
}

/// One way of building the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Variant {
    pub opt: Opt,
    /// Built with `-C target-feature=+simd128`: the compiler may vectorize with WebAssembly
    /// SIMD (an engine without SIMD rejects the module).
    pub simd: bool,
    pub alloc: Alloc,
}

impl Variant {
    /// The build every run uses unless asked otherwise (guest/Cargo.toml as it stands).
    pub const DEFAULT: Variant = Variant { opt: Opt::O3, simd: false, alloc: Alloc::Dlmalloc };
    /// The founding document's build: `opt-level = "s"` and `wee_alloc`.
    pub const SEED: Variant = Variant { opt: Opt::Os, simd: false, alloc: Alloc::WeeAlloc };

    /// Every variant: 2 opt-levels × SIMD or not × 3 allocators.
    pub fn all() -> Vec<Variant> {
        let mut v = Vec::new();
        for alloc in Alloc::ALL {
            for simd in [false, true] {
                for opt in [Opt::O3, Opt::Os] {
                    v.push(Variant { opt, simd, alloc });
                }
            }
        }
        v
    }

    /// `o3`, `os-simd`, `os-wee_alloc`, `o3-simd-talc`.
    pub fn name(&self) -> String {
        let mut s = String::from(match self.opt {
            Opt::O3 => "o3",
            Opt::Os => "os",
        });
        if self.simd {
            s.push_str("-simd");
        }
        if self.alloc != Alloc::Dlmalloc {
            s.push('-');
            s.push_str(self.alloc.feature());
        }
        s
    }

    /// A variant by its name; the error lists the names there are.
    pub fn parse(name: &str) -> Result<Variant, String> {
        let name = name.trim();
        Variant::all().into_iter().find(|v| v.name() == name).ok_or_else(|| {
            format!(
                "unknown guest variant `{name}` (variants: {}; `interop-bench list` describes them)",
                Variant::all().iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The profile's opt-level as cargo spells it.
    pub fn opt_level(&self) -> &'static str {
        match self.opt {
            Opt::O3 => "3",
            Opt::Os => "s",
        }
    }

    /// rustflags: the base flags of guest/build-flags.toml, plus `+simd128` for a SIMD variant.
    pub fn rustflags(&self, base: &[String]) -> Vec<String> {
        let mut f = base.to_vec();
        if self.simd {
            f.extend(["-C".to_string(), "target-feature=+simd128".to_string()]);
        }
        f
    }

    /// The cargo arguments that pick the allocator.
    pub fn feature_args(&self) -> [String; 3] {
        ["--no-default-features".into(), "--features".into(), self.alloc.feature().into()]
    }

    /// Environment for cargo: the profile's opt-level (`CARGO_PROFILE_<PROFILE>_OPT_LEVEL`).
    pub fn cargo_env(&self, profile: &str) -> (String, String) {
        (format!("CARGO_PROFILE_{}_OPT_LEVEL", profile.to_uppercase().replace('-', "_")), self.opt_level().to_string())
    }

    /// One line a report prints about the variant.
    pub fn about(&self) -> String {
        format!(
            "opt-level={}{}, {}{}",
            self.opt_level(),
            if self.simd { ", simd128" } else { ", no SIMD (WebAssembly 1.0)" },
            self.alloc.crate_version(),
            if *self == Variant::DEFAULT {
                " (the default build)"
            } else if *self == Variant::SEED {
                " (the founding document's build)"
            } else {
                ""
            }
        )
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}
