//! Named baselines, as criterion users know them: `run --save-baseline NAME` keeps a copy
//! of the run's results file as `results/baselines/NAME.json`; `compare NAME NEW` and
//! `compare --baseline NAME NEW` compare against it.
//!
//! Each save also keeps a copy in `results/baselines/NAME.history/` (the last
//! [`HISTORY_RUNS`]): how far each row moved over those runs is the noise `compare
//! --fail-above` allows that row (interop_core::noise::History). Any results file `X.json`
//! with a folder `X.history/` of earlier runs beside it is read the same way.

use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// The results folder `run` writes to by default; baselines are kept under it.
pub const RESULTS: &str = "results";

/// Where baselines are kept: `<results>/baselines`.
pub fn dir_in(results: &Path) -> PathBuf {
    results.join("baselines")
}

fn path_in(results: &Path, name: &str) -> PathBuf {
    dir_in(results).join(format!("{name}.json"))
}

/// A clap value parser: a baseline name is a file name of letters, digits, `.`, `_`, `-`
/// that does not start with a dot.
pub fn name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not a baseline name: use letters, digits, `.`, `_` and `-` (not starting with `.`), at most 100"))
    }
}

/// Copies the results file `from` to the baseline `name` (replacing an older one of that
/// name, as criterion does), atomically. Returns where it went.
pub fn save(name: &str, from: &Path) -> Result<PathBuf> {
    save_in(Path::new(RESULTS), name, from)
}

pub fn save_in(results: &Path, name: &str, from: &Path) -> Result<PathBuf> {
    let to = path_in(results, name);
    let dir = dir_in(results);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = to.with_extension(format!("json.tmp{}", std::process::id()));
    std::fs::copy(from, &tmp).with_context(|| format!("cannot copy {} to {}", from.display(), tmp.display()))?;
    std::fs::rename(&tmp, &to).with_context(|| format!("cannot write the baseline {}", to.display()))?;
    keep_in_history(&to, from)?;
    Ok(to)
}

/// Saved runs a baseline's history keeps (the oldest go first).
pub const HISTORY_RUNS: usize = 5;

/// The folder of earlier runs beside a results file: `X.json` → `X.history/`.
pub fn history_dir(file: &Path) -> PathBuf {
    file.with_extension("history")
}

/// Adds a copy of `from` to the history of the baseline file `baseline`, and drops all
/// but the newest [`HISTORY_RUNS`].
fn keep_in_history(baseline: &Path, from: &Path) -> Result<()> {
    let dir = history_dir(baseline);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let to = dir.join(format!("{ms:015}-{}.json", std::process::id()));
    std::fs::copy(from, &to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    let mut runs = history_files(&dir);
    while runs.len() > HISTORY_RUNS {
        let old = runs.remove(0);
        std::fs::remove_file(&old).with_context(|| format!("cannot remove {}", old.display()))?;
    }
    Ok(())
}

/// The runs of a history folder, oldest first (none when it does not exist).
pub fn history_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn names(results: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir_in(results))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json").map(String::from))
        .collect();
    v.sort();
    v
}

/// The OLD and NEW files of `compare`: `compare OLD NEW`, `compare NAME NEW` (OLD is no
/// file but a saved baseline), or `compare --baseline NAME NEW`.
pub fn resolve(baseline: Option<&str>, first: &Path, second: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
    resolve_in(Path::new(RESULTS), baseline, first, second)
}

pub fn resolve_in(results: &Path, baseline: Option<&str>, first: &Path, second: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
    let path_of = |n: &str| path_in(results, n);
    let known = || {
        let n = names(results);
        let dir = dir_in(results);
        if n.is_empty() {
            format!("no baselines are saved in {} (save one with `run --save-baseline NAME`)", dir.display())
        } else {
            format!("baselines in {}: {}", dir.display(), n.join(", "))
        }
    };
    if let Some(b) = baseline {
        if let Some(extra) = second {
            bail!("--baseline {b} takes one results file to compare with it, not two ({} and {})", first.display(), extra.display());
        }
        let p = path_of(b);
        if !p.exists() {
            bail!("no baseline named `{b}` ({})", known());
        }
        return Ok((p, first.to_path_buf()));
    }
    let new = second.ok_or_else(|| anyhow!("compare takes OLD and NEW (files, or OLD a baseline name), or --baseline NAME NEW"))?;
    if first.exists() {
        return Ok((first.to_path_buf(), new.to_path_buf()));
    }
    match first.to_str().map(name) {
        Some(Ok(n)) if path_of(&n).exists() => Ok((path_of(&n), new.to_path_buf())),
        _ => bail!("{}: no such results file, nor a saved baseline of that name ({})", first.display(), known()),
    }
}
