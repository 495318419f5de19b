#!/usr/bin/env bash
# The translated engines' rows against independent harnesses, back to back: the tool's
# rows (noop, add, string_roundtrip 51 B, sum_array 10000 on wasm2go and wasm2c), then
# `go test -bench` over the same wasm2go translation (go/internal/agree, the tool's cached
# package mapped in with -overlay) and a C clock_gettime loop over the same wasm2c shared
# object (scripts/agree/wasm2c_bench.c, dlopen of the tool's cached guest.so), and the
# ratio of each pair. Run it on a quiet machine; the rows should agree within ~10%.
#
#   scripts/agree-translated.sh                 # the tool's default sampling, -benchtime 1s
#   QUICK=1 scripts/agree-translated.sh         # tiny counts: checks the script works, times nothing
#
# Needs: a release build (cargo build --release), Go, cc, wasm2c's runtime headers
# (Debian's wabt: scripts/install-deps.sh), python3 (to read the results file).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/target/release/interop-bench"
guest=${INTEROP_GUEST:-$root/guest/target/interop_guest.wasm}
[ -x "$bench" ] || { echo "no $bench: run cargo build --release first" >&2; exit 1; }
[ -f "$guest" ] || { echo "no guest at $guest (build it with cargo build --release, or set INTEROP_GUEST)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${QUICK:-}" ]; then
  tool_args=(--quick --samples 2 --warmup-ms 0 --target-sample-ms 0.05); benchtime=100x; c_iters=2000
else
  tool_args=(); benchtime=1s; c_iters=${C_ITERS:-20000000}
fi

echo "== the tool" >&2
"$bench" run "${tool_args[@]}" --no-progress --no-capabilities --guest "$guest" --runtimes wasm2go,wasm2c \
  --scenarios empty,noop,add,string_roundtrip,sum_array -o "$work/tool.json" >"$work/tool.txt" 2>"$work/tool.err" || {
  cat "$work/tool.err" >&2; exit 1; }

sha=$(sha256sum "$guest" | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/interop-bench
gofile=$(ls -t "$cache"/wasm2go/"$sha"-*/guest.go | head -1)
so=$(ls -t "$cache"/wasm2c/"$sha"-signals-*/guest.so | head -1)

echo "== go test -bench over $gofile" >&2
printf '{"Replace":{"%s":"%s"}}' "$root/go/internal/agree/guest/guest.go" "$gofile" >"$work/overlay.json"
(cd "$root/go" && go test -vet=off -tags agree -overlay "$work/overlay.json" -run XXX -bench . -benchtime "$benchtime" ./internal/agree) >"$work/go.txt"

echo "== C loop over $so" >&2
cc -O2 -I/usr/share/wabt/wasm2c -o "$work/wasm2c_bench" "$root/scripts/agree/wasm2c_bench.c" -ldl
"$work/wasm2c_bench" "$so" "$c_iters" >"$work/c.txt"

python3 - "$work/tool.json" "$work/go.txt" "$work/c.txt" <<'PY'
import json, re, sys
tool = json.load(open(sys.argv[1]))
def row(host, rt, api, scenario, param=None):
    for r in tool["results"]:
        k = r
        if (k["host"], k["runtime"], k["api"], k["scenario"]) == (host, rt, api, scenario) and \
           (param is None or list(k.get("params", {}).values()) == [param]):
            s = r["sample_ns_per_op"]
            return sum(s) / len(s)
    return None
gob = {}
for line in open(sys.argv[2]):
    m = re.match(r"Benchmark(\w+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m: gob[m.group(1)] = float(m.group(3))
cb = {}
for line in open(sys.argv[3]):
    case, api, v = line.split()
    cb[(case, api)] = float(v)
pairs = [
    ("wasm2go", "noop", row("go", "wasm2go", "direct", "noop"), "go test", gob.get("Noop")),
    ("wasm2go", "add", row("go", "wasm2go", "direct", "add"), "go test", gob.get("Add")),
    ("wasm2go", "string_roundtrip 51 B (view)", row("go", "wasm2go", "view", "string_roundtrip", 51), "go test", gob.get("StringRoundtrip51")),
    ("wasm2go", "sum_array 10000 (view)", row("go", "wasm2go", "view", "sum_array", 10000), "go test", gob.get("SumArray10000")),
    ("wasm2c", "noop unguarded", row("rust", "wasm2c", "unguarded", "noop"), "C loop", cb.get(("noop", "unguarded"))),
    ("wasm2c", "noop guarded", row("rust", "wasm2c", "guarded", "noop"), "C loop", cb.get(("noop", "guarded"))),
    ("wasm2c", "add unguarded", row("rust", "wasm2c", "unguarded", "add"), "C loop", cb.get(("add", "unguarded"))),
    ("wasm2c", "add guarded", row("rust", "wasm2c", "guarded", "add"), "C loop", cb.get(("add", "guarded"))),
    ("wasm2c", "string_roundtrip 51 B (view)", row("rust", "wasm2c", "view", "string_roundtrip", 51), "C loop", cb.get(("string_roundtrip/bytes=51", "view"))),
    ("wasm2c", "sum_array 10000 (view)", row("rust", "wasm2c", "view", "sum_array", 10000), "C loop", cb.get(("sum_array/len=10000", "view"))),
]
floors = {h: row(h, "native", "direct", "empty") for h in ("go", "rust")}
print(f"harness floor (empty): go {floors['go']} ns, rust {floors['rust']} ns")
print(f"{'engine':8} {'case':30} {'tool ns/op':>11} {'independent':>12} {'ratio':>7}")
missing = 0
for eng, case, t, who, i in pairs:
    if t is None or i is None:
        missing += 1
        print(f"{eng:8} {case:30} {'-' if t is None else f'{t:.3f}':>11} {'-' if i is None else f'{i:.3f}':>12}       (missing: {who})")
        continue
    print(f"{eng:8} {case:30} {t:11.3f} {i:12.3f} {t / i:7.2f}  ({who})")
sys.exit(1 if missing else 0)
PY
