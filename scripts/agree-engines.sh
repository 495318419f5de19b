#!/usr/bin/env bash
# The Rust host's wasmtime, wasmi and wasmer rows (noop and add, typed) against criterion,
# paired in one process (crates/host/benches/engines.rs): criterion calls each engine's own
# typed API directly, on an instance made with the engine's default configuration, sharing
# neither the tool's sampler nor its adapters; the tool's side is its own path for the row
# (runner::measure_row, the default sampling). This VM switches speed for seconds at a time,
# so the two alternate back to back, PAIRED_ROUNDS rounds a row (default 5), and each row's
# median ratio tool / criterion is compared with the project's bar (within 10%).
#
#   scripts/agree-engines.sh
#   PAIRED_ROUNDS=9 scripts/agree-engines.sh
#   QUICK=1 scripts/agree-engines.sh     # tiny counts: checks the script works, times nothing
#
# Needs: Rust (the bench builds in the release profile; its first build with these three
# engines takes several minutes). Run it alone: nothing else building or measuring.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rounds=${PAIRED_ROUNDS:-5}
crit_args=()
quick=
if [ -n "${QUICK:-}" ]; then
  rounds=${PAIRED_ROUNDS:-1}; quick=1
  crit_args=(--warm-up-time 0.01 --measurement-time 0.02 --sample-size 10)
fi
echo "== building the bench (cargo bench --no-run, release profile)" >&2
(cd "$root" && cargo bench -q --no-run -p interop-host --bench engines) >&2
echo "== $rounds paired round(s) a row" >&2
(cd "$root" && CRITERION_HOME="$work/criterion" INTEROP_PAIRED_ROUNDS="$rounds" INTEROP_PAIRED_QUICK="$quick" \
  INTEROP_PAIRED_OUT="$work/paired.tsv" cargo bench -q -p interop-host --bench engines -- --noplot "${crit_args[@]}") \
  >"$work/bench.out" 2>"$work/bench.err" || { cat "$work/bench.err" >&2; exit 1; }
grep -h "^paired round" "$work/bench.err" >&2 || true
python3 - "$work/paired.tsv" <<'PY'
import csv, statistics, sys
rows = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    k = (r["case"], r["api"])
    rows.setdefault(k, []).append((float(r["tool_ns"]), float(r["criterion_ns"])))
print(f"{'row':<30} {'tool ns':>9} {'criterion ns':>13} {'tool/criterion':>15}  verdict")
worst = 0.0
for (case, api), pairs in rows.items():
    ratio = statistics.median(t / c for t, c in pairs)
    tool = statistics.median(t for t, _ in pairs)
    crit = statistics.median(c for _, c in pairs)
    worst = max(worst, abs(ratio - 1))
    verdict = "within 10%" if abs(ratio - 1) <= 0.10 else "OFF by more than 10%"
    print(f"{case + ' ' + api:<30} {tool:>9.2f} {crit:>13.2f} {ratio:>15.3f}  {verdict}  (median of {len(pairs)} pairs)")
print(f"largest gap: {worst * 100:.1f}%")
PY
