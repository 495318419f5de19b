#!/usr/bin/env bash
# Does the tool agree with independent testing.B harnesses on the seed's own path?
#
#   scripts/agree-seed.sh [ROUNDS]        (default 5; about 30 s a round)
#
# Runs, back to back and interleaved ROUNDS times on this machine, the three measurements
# of wasmtime-go Func.Call for no_op and add_numbers:
#   tool     interop-bench run --hosts go --runtimes wasmtime-go --scenarios noop,add
#            (the row's mean over its worker processes, the figure every report prints)
#   project  go test -bench of the same adapter code (go/seed_bench_test.go)
#   seed     go test -bench of the founding document's own benchmark code (go/seedcode)
# and prints each one's median over the rounds, the spread of the rounds, and tool/harness
# ratios. Interleaving matters: on a shared VM the machine's speed drifts between minutes,
# and the seed's code itself moves +-20% between invocations.
#
# TOOL_ARGS adds arguments to the tool's run (e.g. TOOL_ARGS='--processes 1').
#
# The environment passes through to all three, so `GOMAXPROCS=1 scripts/agree-seed.sh`
# compares them with the collector's and the finalizers' work serialised onto the calling
# core (wall time ~ CPU time), the comparison least sensitive to how much of that work a
# spare core happens to absorb.
#
# Needs: cargo build --release, Go, jq (scripts/install-deps.sh). Run it on a quiet
# machine: it is a benchmark, not a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
bench="$root/target/release/interop-bench"
[ -x "$bench" ] || { echo "agree-seed: no $bench; run cargo build --release first" >&2; exit 1; }
command -v jq >/dev/null || { echo "agree-seed: no jq; run scripts/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root/go" && go test -c -o "$work/seed.test" ./seedcode && go test -c -o "$work/project.test" .)

# gobench FILE NAME: ns/op of benchmark NAME (its -N suffix stripped) in go test output.
gobench() { awk -v n="$2" '{ sub(/-[0-9]+$/, "", $1) } $1 == n { print $3; exit }' "$1"; }

for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds" >&2
  # shellcheck disable=SC2086 # TOOL_ARGS is split into arguments on purpose
  "$bench" run --hosts go --runtimes wasmtime-go --scenarios noop,add ${TOOL_ARGS:-} --out "$work/tool.json" --force >/dev/null 2>&1 ||
    { echo "agree-seed: the tool's run failed" >&2; exit 1; }
  for s in noop add; do
    jq -r --arg s "$s" '.results[] | select(.runtime == "wasmtime-go" and .api == "call" and .scenario == $s)
      | .derived.ns_per_op.mean' "$work/tool.json" >>"$work/tool.$s"
  done
  (cd "$root/go" && "$work/project.test" -test.run XXX -test.bench 'Wasm(NoOpCall|AddNumbers)/engine=wasmtime-go/api=call$' \
    -test.benchtime 1s) >"$work/p.out"
  gobench "$work/p.out" BenchmarkWasmNoOpCall/engine=wasmtime-go/api=call >>"$work/project.noop"
  gobench "$work/p.out" BenchmarkWasmAddNumbers/engine=wasmtime-go/api=call >>"$work/project.add"
  (cd "$root/go" && "$work/seed.test" -test.run XXX -test.bench 'Wasm(NoOpCall|AddNumbers)$' -test.benchtime 1s) >"$work/s.out"
  gobench "$work/s.out" BenchmarkWasmNoOpCall >>"$work/seed.noop"
  gobench "$work/s.out" BenchmarkWasmAddNumbers >>"$work/seed.add"
done

# median FILE, and min-max: the rounds of one harness.
stats() { sort -g "$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'; }
echo "wasmtime-go Func.Call, ns/op: median of $rounds interleaved rounds (min-max); GOMAXPROCS=${GOMAXPROCS:-default}"
printf '%-6s %-22s %-22s %-22s %-12s %s\n' case tool project seed tool/project tool/seed
for s in noop add; do
  read -r tm tlo thi < <(stats "$work/tool.$s")
  read -r pm plo phi < <(stats "$work/project.$s")
  read -r sm slo shi < <(stats "$work/seed.$s")
  printf '%-6s %-22s %-22s %-22s %-12s %s\n' "$s" "$tm ($tlo-$thi)" "$pm ($plo-$phi)" "$sm ($slo-$shi)" \
    "$(awk -v a="$tm" -v b="$pm" 'BEGIN { printf "%.2f", a / b }')" "$(awk -v a="$tm" -v b="$sm" 'BEGIN { printf "%.2f", a / b }')"
done
