//! Renders the HTML report in headless Chromium and checks the PNG it makes. The PNGs stay
//! in the target dir (printed) for a person to look at. Skipped, with the reason printed,
//! when no Chromium is installed (Debian: `apt-get install -y chromium`).

mod common;

use common::load;
use interop_core::export::{Exporter, Html};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

pub fn screenshot(browser: &str, html: &Path, png: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1400,3000")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs")
}

#[test]
fn the_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        println!("skipped: no chromium on the PATH (apt-get install -y chromium)");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for fixture in ["synthetic", "quick-rust"] {
        let html = dir.join(format!("{fixture}.html"));
        let png = dir.join(format!("{fixture}.png"));
        let _ = std::fs::remove_file(&png);
        std::fs::write(&html, Html.render(&load(&format!("{fixture}.json"))).output).unwrap();
        let out = screenshot(browser, &html, &png);
        let bytes = std::fs::read(&png).unwrap_or_else(|_| {
            panic!("{browser} wrote no screenshot ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr))
        });
        assert_eq!(png_size(&bytes), Some((1400, 3000)), "{}", png.display());
        // A blank page compresses to a few kB; charts and tables do not.
        assert!(bytes.len() > 60_000, "{} is only {} bytes: a blank page?", png.display(), bytes.len());
        println!("screenshot: {}", png.display());
    }
}
