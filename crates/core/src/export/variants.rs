//! The guest builds of a run, as every human format shows them: which build the seed's
//! table used, the builds (size, sha256, allocator), the same cases on each build side by
//! side, and `sum_array_resident` split step by step (crate::analysis::variants).

use crate::results::{ResultsFile, DEFAULT_GUEST_VARIANT};
use crate::units::ns;

/// `guest o3 (opt-level=3, no SIMD (WebAssembly 1.0), dlmalloc 0.2.14 (the default build), 12311 B)`:
/// the build whose rows feed the cost model, the seed table and the engines.
pub fn guest_label(r: &ResultsFile) -> String {
    let primary = r.primary_variant();
    match r.variant(&primary) {
        Some(v) => format!("guest {} ({}, {} B)", v.name, v.about, v.size_bytes),
        None if r.guest.source.is_empty() || r.guest.source == "builtin" => {
            let how = r.guest.build.get("profile_settings").map(String::as_str).unwrap_or("guest/Cargo.toml");
            format!("guest {DEFAULT_GUEST_VARIANT} ({how}, dlmalloc, {} B)", r.guest.size_bytes)
        }
        None => format!("guest {} ({} B)", r.guest.source, r.guest.size_bytes),
    }
}

/// The builds of a run with several: header and rows (variant, build, size, sha256, allocator).
pub fn builds(r: &ResultsFile) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    if r.guest.variants.len() < 2 {
        return None;
    }
    let rows = r
        .guest
        .variants
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.about.clone(),
                format!("{} B", v.size_bytes),
                v.sha256.chars().take(16).collect(),
                v.allocator_note.clone(),
            ]
        })
        .collect();
    Some((vec!["guest variant", "build", "size", "sha256", "allocator"], rows))
}

/// The same cases on each build: header (host, runtime, case, then a column per variant) and
/// rows; a cell is the mean with, beside the first variant, its ratio to it.
pub fn side_by_side(r: &ResultsFile) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let table = &r.derived.variants;
    if table.is_empty() {
        return None;
    }
    let mut names: Vec<String> = r.guest.variants.iter().map(|v| v.name.clone()).collect();
    for row in table {
        for c in &row.cells {
            if !names.contains(&c.variant) {
                names.push(c.variant.clone());
            }
        }
    }
    let mut header = vec!["host".to_string(), "runtime".into(), "api".into(), "case".into()];
    header.extend(names.iter().cloned());
    let rows = table
        .iter()
        .map(|row| {
            let mut case = row.scenario.clone();
            for (k, v) in &row.params {
                case.push_str(&format!("/{k}={v}"));
            }
            let mut cells = vec![row.host.clone(), row.runtime.clone(), row.api.clone(), case];
            for n in &names {
                cells.push(match row.cells.iter().find(|c| &c.variant == n) {
                    Some(c) => match c.ratio {
                        Some(x) => format!("{} ({x:.2}x)", ns(c.mean)),
                        None => ns(c.mean),
                    },
                    None => "-".into(),
                });
            }
            cells
        })
        .collect();
    Some((header, rows))
}

/// One line per engine: `sum_array_resident` (10,000 i32) from the host's vectorized sum to
/// the sandboxed guest, each step with its interval, adding up to the measured total.
pub fn chain_lines(r: &ResultsFile) -> Vec<String> {
    r.derived
        .variant_splits
        .iter()
        .map(|s| {
            let parts: Vec<String> = s
                .parts
                .iter()
                .filter(|p| !(p.name == "other" && p.shown <= 0.0))
                .map(|p| {
                    if p.name == "other" {
                        format!("other (steps below noise) {}", ns(p.shown))
                    } else if p.below_noise {
                        format!("{} {}", p.name, p.text())
                    } else {
                        format!("{} {} ({:.0}%)", p.name, p.text(), p.share * 100.0)
                    }
                })
                .collect();
            let missing = if s.missing.is_empty() { String::new() } else { format!(" [not measured: {}]", s.missing.join(", ")) };
            let scaled = if s.overshoot > 0.0 {
                format!(
                    "; a step below zero is below noise, so the others exceed the total by {} and are scaled to it",
                    ns(s.overshoot)
                )
            } else {
                String::new()
            };
            // `sum_array_resident, guest o3-simd` → `guest o3-simd`: which build this chain follows.
            let build = s.benchmark.split_once(", ").map_or(s.benchmark.as_str(), |(_, b)| b);
            format!("{} {}, {build}: {} = {}{scaled}{missing}", s.host, s.runtime, ns(s.total), parts.join(" + "))
        })
        .collect()
}

/// The file with only its first guest build's rows (the file itself when it has one build).
pub fn primary_only(r: &ResultsFile) -> std::borrow::Cow<'_, ResultsFile> {
    let primary = r.primary_variant();
    if r.results.iter().all(|x| x.key.guest_variant == primary) {
        return std::borrow::Cow::Borrowed(r);
    }
    let mut only = r.clone();
    only.results.retain(|x| x.key.guest_variant == primary);
    std::borrow::Cow::Owned(only)
}

/// What a reader should know under the variants' tables.
pub const VARIANTS_NOTE: &str = "Each column is the same case on another build of the same guest source (ratio to \
    the first build in brackets); the first build's rows feed everything above. A SIMD build is not applicable on an \
    engine without WebAssembly SIMD (listed under Not applicable). wee_alloc is unmaintained (RUSTSEC-2022-0054) and \
    measured because the founding document uses it. A small loop's time on a JIT can depend on where its machine \
    code lands (wasmtime's sum_array on os and os-wee_alloc: the same code, 1 or 2 cycles an element as its loop \
    does or does not straddle a 64-byte boundary; docs/hosts.md): compare builds on several cases.";

/// What a reader should know under the chains.
pub const CHAIN_NOTE: &str = "sum_array_resident, 10,000 i32, step by step, each step like with like. The guest \
    without SIMD: the host's own (auto-vectorized) sum; what vectorization saves it (native_sum_scalar − native_sum); \
    the Wasm code and the call (the scalar guest − the host's scalar loop); explicit bounds checks (the engine's :bounds \
    configuration − its default). The guest built with simd128: the host's sum; the Wasm code and the call (the SIMD \
    guest − the host's vectorized sum); explicit bounds checks. What SIMD saves the guest is guest_simd in the \
    breakdown. Each step is measured with its 95% interval; a step whose interval reaches zero is below noise and its \
    time is in other, so the steps add up to the last row measured.";
