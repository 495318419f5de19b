#!/usr/bin/env bash
# The Go host's rows against testing.B on every Go engine and call API, interleaved:
#
#   scripts/agree-go.sh [ROUNDS]          (default 5; about 90 s a round)
#
# Each round runs, back to back, the tool (interop-bench run --hosts go --scenarios
# noop,add,string_roundtrip/bytes=51 on the engines below: the row's mean, the figure every
# report prints; the string rows, the founding document's 51 B string copied in, reversed
# and copied out, through each memory API and the engine's default call API) and the
# project's testing.B suite over the same adapters (go/seed_bench_test.go: one
# sub-benchmark per engine and call API, -benchtime 1s; wasmer-go and wasmer-capi from its
# build with -tags wasmer), then prints per row the median of the rounds of each and the
# median of the rounds' ratios tool / testing.B, against the project's bar (within 10%).
# The harnesses differ (the tool's sampler, warm-up and calibration, its worker process;
# go test's b.N doubling), the adapter code is the same. wasmtime-go is
# scripts/agree-seed.sh's (with the founding document's own code beside it); wasm2go is
# scripts/agree-translated.sh's.
#
# RUNTIMES overrides the engines (comma-separated, as run --runtimes takes them).
#
# Needs: cargo build --release, Go, jq (scripts/install-deps.sh). Run it alone on a quiet
# machine: it is a benchmark, not a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
runtimes=${RUNTIMES:-wazero:compiler,wazero:interpreter,wasmtime-capi,wasmer-capi,wasmer-go}
bench="$root/target/release/interop-bench"
[ -x "$bench" ] || { echo "agree-go: no $bench; run cargo build --release first" >&2; exit 1; }
command -v jq >/dev/null || { echo "agree-go: no jq; run scripts/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root/go" && go test -c -o "$work/plain.test" . && go test -c -tags wasmer -o "$work/wasmer.test" .)
# The sub-benchmarks of these engines, as testing.B names them (engine=NAME/api=API).
pattern="Wasm(NoOpCall|AddNumbers|ReverseStringInPlace)/engine=($(echo "$runtimes" | sed 's/,/|/g'))/"

for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds" >&2
  "$bench" run --hosts go --runtimes "$runtimes" --scenarios noop,add,string_roundtrip/bytes=51 --no-capabilities \
    --out "$work/tool.json" --force >/dev/null 2>&1 || { echo "agree-go: the tool's run failed" >&2; exit 1; }
  # A string row's api is its memory API, through the engine's default (first) call API:
  # named here as testing.B names it, CALL/mem=MEM.
  jq -r --arg r "$r" '(.runtimes | map({key: .runtime, value: .call_apis[0]}) | from_entries) as $call
    | .results[] | select(.runtime != "native")
    | if .scenario == "string_roundtrip" then [$r, .runtime, ($call[.runtime] + "/mem=" + .api), "string"]
      else [$r, .runtime, .api, .scenario] end
    + [.derived.ns_per_op.mean] | @tsv' "$work/tool.json" >>"$work/tool.tsv"
  for t in plain wasmer; do
    (cd "$root/go" && "$work/$t.test" -test.run XXX -test.bench "$pattern" -test.benchtime 1s) >>"$work/go-$r.out"
  done
  # BenchmarkWasmNoOpCall/engine=E/api=A-2  N  X ns/op (the string's: .../api=A/mem=M-2)
  awk -v r="$r" '$1 ~ /^BenchmarkWasm(NoOpCall|AddNumbers|ReverseStringInPlace)\/engine=/ {
      name = $1; sub(/-[0-9]+$/, "", name); n = split(name, p, "/");
      s = (p[1] ~ /NoOp/) ? "noop" : (p[1] ~ /Add/) ? "add" : "string";
      sub(/^engine=/, "", p[2]); sub(/^api=/, "", p[3]); api = (n > 3) ? p[3] "/" p[4] : p[3];
      print r "\t" p[2] "\t" api "\t" s "\t" $3 }' \
    "$work/go-$r.out" | sort -u >>"$work/go.tsv"
done

python3 - "$work/tool.tsv" "$work/go.tsv" "$rounds" <<'PY'
import csv, statistics, sys
def load(p):
    d = {}
    for r in csv.reader(open(p), delimiter="\t"):
        d[(int(r[0]), r[1], r[2], r[3])] = float(r[4])
    return d
tool, go, rounds = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = sorted({k[1:] for k in tool} & {k[1:] for k in go})
print(f"tool against testing.B, median of {rounds} interleaved rounds (ns/op; ratio: median of the rounds' tool/testing.B)")
print(f"{'engine':<20} {'api':<26} {'case':<6} {'tool':>9} {'testing.B':>10} {'ratio':>7}  verdict")
worst = 0.0
for k in rows:
    pairs = [(tool[(r,) + k], go[(r,) + k]) for r in range(1, rounds + 1) if (r,) + k in tool and (r,) + k in go]
    ratio = statistics.median(t / g for t, g in pairs)
    worst = max(worst, abs(ratio - 1))
    v = "within 10%" if abs(ratio - 1) <= 0.10 else "OFF by more than 10%"
    print(f"{k[0]:<20} {k[1]:<26} {k[2]:<6} {statistics.median(t for t, _ in pairs):>9.1f} {statistics.median(g for _, g in pairs):>10.1f} {ratio:>7.3f}  {v}")
# testing.B also times each string case through every other call API; the tool's rows
# are what must be matched.
missing = sorted({k[1:] for k in tool} - {k[1:] for k in go})
if missing:
    print("tool rows testing.B did not measure:", ", ".join(" ".join(m) for m in missing))
print(f"largest gap: {worst * 100:.1f}%")
PY
