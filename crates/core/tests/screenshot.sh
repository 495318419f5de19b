#!/bin/sh
# Renders a results file's HTML report and takes a screenshot of it in headless Chromium.
#   crates/core/tests/screenshot.sh RESULTS.json [OUT.png]
# Needs Debian's chromium (apt-get update && apt-get install -y chromium) and a built
# interop-bench (cargo build --release).
set -eu
results=${1:?usage: $0 RESULTS.json [OUT.png]}
png=${2:-${results%.json}.png}
html=${results%.json}.html
bin=${INTEROP_BENCH:-${CARGO_TARGET_DIR:-target}/release/interop-bench}
"$bin" report "$results" --format html -o "$html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$(realpath -m "$png")" --window-size=1400,3000 \
  "file://$(realpath "$html")"
echo "screenshot: $png"
