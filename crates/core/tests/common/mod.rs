// Shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use interop_core::results::ResultsFile;
use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn goldens() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A fixture with every derived field rebuilt from its raw samples, as `report` does.
pub fn load(name: &str) -> ResultsFile {
    let mut r = ResultsFile::load(&fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"));
    r.rederive();
    r
}

/// Compares `actual` with the golden file `name`; rewrites it when UPDATE_GOLDEN=1.
pub fn check_golden(name: &str, actual: &str) {
    let path = goldens().join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(goldens()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no golden file {}: run the tests with UPDATE_GOLDEN=1 to write it", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  golden: {:?}\n  actual: {:?}\n(UPDATE_GOLDEN=1 rewrites the goldens; review the diff)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
}
