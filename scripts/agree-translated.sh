#!/usr/bin/env bash
# The translated engines' rows against independent harnesses, interleaved: ROUNDS times
# (default 4) the tool's rows (noop, add, string_roundtrip 51 B, sum_array 10000 on wasm2go
# and wasm2c), then `go test -bench` over the same wasm2go translation (go/internal/agree,
# the tool's cached package mapped in with -overlay), then criterion over the same wasm2c
# shared object (crates/host/benches/wasm2c.rs: the adapter's cache, the same FFI), and
# the ratio tool / independent of each pair, per round and their mean. On a shared or
# noisy machine the rounds differ from each other: read the spread, not one figure.
# On a quiet machine the rows should agree within ~10%.
#
# A shared VM is seldom quiet: it switches speed for seconds at a time (the same loop
# reads 1.4-1.7x slower for whole seconds), so a tool round and an independent round a
# minute apart may be timed in different states. The last sections are therefore paired:
# in one process, the tool's own generated loops and sampler alternate with the
# independent harness, PAIRED_ROUNDS times a case (default 5), and the median of the
# pairs' ratios is the verdict (Go: go/internal/agree/paired_test.go).
# Last, the wasm2c rows paired in ONE process (the bench's INTEROP_PAIRED_ROUNDS mode):
# this VM switches speed for seconds at a time (a busy sibling hyperthread), so a tool
# round and a criterion round a minute apart often time two machine states. There, for
# each row, PAIRED_ROUNDS times (default 5), criterion's measurement and the tool's own
# path (runner::measure_row, the tool's default sampling) run back to back, alternating
# which goes first; the median of their ratios is compared with the 10% bar.
#
#   scripts/agree-translated.sh                 # the tool's default sampling, -benchtime 1s, criterion 1 s + 2 s
#   ROUNDS=3 scripts/agree-translated.sh
#   PAIRED_ROUNDS=9 scripts/agree-translated.sh # more rounds of the paired wasm2c section
#   QUICK=1 scripts/agree-translated.sh         # tiny counts: checks the script works, times nothing
#
# Needs: a release build (cargo build --release), Go, cc and Debian's wabt (wasm2c;
# scripts/install-deps.sh), python3 (to read the results). The criterion bench is built
# here (cargo bench, the release profile) the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/target/release/interop-bench"
guest=${INTEROP_GUEST:-$root/guest/target/interop_guest.wasm}
[ -x "$bench" ] || { echo "no $bench: run cargo build --release first" >&2; exit 1; }
[ -f "$guest" ] || { echo "no guest at $guest (build it with cargo build --release, or set INTEROP_GUEST)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rounds=${ROUNDS:-4}
# The bench with the wasm2c adapter alone: no other engine is built for it.
crit_pkg=(-p interop-host --no-default-features --features wasm2c --bench wasm2c)
if [ -n "${QUICK:-}" ]; then
  tool_args=(--quick --samples 2 --warmup-ms 0 --target-sample-ms 0.05); benchtime=100x
  crit_args=(--warm-up-time 0.01 --measurement-time 0.02 --sample-size 10); rounds=${ROUNDS:-1}
  paired_rounds=${PAIRED_ROUNDS:-1}; paired_quick=1  # the tool's side: MeasureConfig::QUICK
else
  tool_args=(); benchtime=1s; crit_args=(--warm-up-time 1 --measurement-time 2)
  paired_rounds=${PAIRED_ROUNDS:-5}; paired_quick=  # the tool's side: MeasureConfig::DEFAULT
fi

echo "== building the criterion bench (cargo bench --no-run, release profile)" >&2
(cd "$root" && cargo bench -q --no-run "${crit_pkg[@]}") >&2

for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds: the tool" >&2
  "$bench" run "${tool_args[@]}" --no-progress --no-capabilities --guest "$guest" --runtimes wasm2go,wasm2c \
    --scenarios empty,native_sum,noop,add,string_roundtrip,sum_array -o "$work/tool-$r.json" >"$work/tool.txt" 2>"$work/tool.err" || {
    cat "$work/tool.err" >&2; exit 1; }

  sha=$(sha256sum "$guest" | cut -c1-16)
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/interop-bench
  gofile="$cache/wasm2go/$sha-v0.4.22/guest.go"
  [ -f "$gofile" ] || gofile=$(ls -t "$cache"/wasm2go/"$sha"-*/guest.go | head -1)

  echo "== round $r/$rounds: go test -bench over $gofile" >&2
  printf '{"Replace":{"%s":"%s"}}' "$root/go/internal/agree/guest/guest.go" "$gofile" >"$work/overlay.json"
  (cd "$root/go" && go test -vet=off -tags agree -overlay "$work/overlay.json" -run XXX -bench . -benchtime "$benchtime" ./internal/agree) >"$work/go-$r.txt"

  echo "== round $r/$rounds: criterion over the wasm2c shared object" >&2
  (cd "$root" && INTEROP_GUEST="$guest" CRITERION_HOME="$work/criterion-$r" \
    cargo bench -q "${crit_pkg[@]}" -- --noplot "${crit_args[@]}") >"$work/criterion-$r.txt" 2>"$work/criterion-$r.err" || {
    cat "$work/criterion-$r.err" >&2; exit 1; }
  grep -h "wasm2c shared object" "$work/criterion-$r.err" >&2 || true
done

# Paired, in one process: the tool's generated loops (the worker file the tool generated
# for this guest, renamed into package agree) timed by the tool's sampler with the tool
# run's configuration, alternating with testing.B on the b.N form (go/internal/agree/
# paired_test.go), PAIRED_ROUNDS rounds a case.
echo "== paired: the tool's wasm2go loops and sampler alternating with testing.B in one process ($paired_rounds rounds a case)" >&2
worker=$(dirname "$(ls -t "$cache"/wasm2go/"$sha"-*/worker-*/interop-go-host-wasm2go | head -1)")  # the one the tool just ran
sed 's/^package main$/package agree/' "$worker/zz_wasm2go_worker.go" >"$work/zz_worker.go"
guestpkg=$(grep -o '"interop-bench/go/internal/wasm2gogen/[^"]*"' "$work/zz_worker.go" | tr -d '"')
[ -n "$guestpkg" ] || { echo "no translated package imported by $worker/zz_wasm2go_worker.go" >&2; exit 1; }
printf '{"Replace":{"%s":"%s","%s":"%s","%s":"%s"}}' \
  "$root/go/internal/agree/guest/guest.go" "$gofile" \
  "$root/go/internal/agree/zz_worker.go" "$work/zz_worker.go" \
  "$root/go/${guestpkg#interop-bench/go/}/guest.go" "$gofile" >"$work/overlay-paired.json"
eval "$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["config"]
for k, v in [("WARMUP_MS", c["warmup_ms"]), ("TARGET_SAMPLE_MS", c["target_sample_ms"]), ("SAMPLES", c["samples"]),
             ("PRECISION_PCT", c.get("precision_pct") or 0), ("MAX_ROW_MS", c.get("max_row_ms") or 0)]:
    print(f"export INTEROP_PAIRED_{k}={v}")
' "$work/tool-1.json")"
(cd "$root/go" && INTEROP_PAIRED_ROUNDS="$paired_rounds" go test -vet=off -tags agree,agreepaired -overlay "$work/overlay-paired.json" \
  -run '^TestPaired$' -benchtime "$benchtime" -count 1 -v ./internal/agree) >"$work/paired-go.txt" || {
  cat "$work/paired-go.txt" >&2; exit 1; }

# --- wasm2c paired in one process: criterion and the tool's measure_row alternating, row
# by row, PAIRED_ROUNDS rounds (crates/host/benches/wasm2c.rs, INTEROP_PAIRED_ROUNDS).
echo "== wasm2c paired: $paired_rounds round(s) of criterion and the tool back to back, one process" >&2
(cd "$root" && INTEROP_GUEST="$guest" CRITERION_HOME="$work/criterion-paired" INTEROP_PAIRED_ROUNDS="$paired_rounds" \
  INTEROP_PAIRED_QUICK="$paired_quick" INTEROP_PAIRED_OUT="$work/paired-wasm2c.tsv" \
  cargo bench -q "${crit_pkg[@]}" -- --noplot "${crit_args[@]}") >"$work/criterion-paired.txt" 2>"$work/criterion-paired.err" || {
  cat "$work/criterion-paired.err" >&2; exit 1; }
grep -h "^paired \|wasm2c shared object" "$work/criterion-paired.err" >&2 || true
# --- end of the wasm2c paired run


rc=0
python3 - "$work" "$rounds" <<'PY' || rc=$?
import json, os, re, sys
work, rounds = sys.argv[1], int(sys.argv[2])

def tool_row(tool, host, rt, api, scenario, param=None):
    for r in tool["results"]:
        if (r["host"], r["runtime"], r["api"], r["scenario"]) == (host, rt, api, scenario) and \
           (param is None or list(r.get("params", {}).values()) == [param]):
            s = r["sample_ns_per_op"]
            return sum(s) / len(s)
    return None

def go_bench(path):
    out = {}
    for line in open(path):
        m = re.match(r"Benchmark(\w+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            out[m.group(1)] = float(m.group(3))
    return out

def criterion(root, ident):
    p = os.path.join(root, ident, "new", "estimates.json")
    if not os.path.exists(p):
        return None
    return json.load(open(p))["mean"]["point_estimate"]  # the mean of the samples' ns/iter, as the tool's

# (engine, case, tool row, who, independent key). The wasm2go rows are compared with the
# b.N form of the same loop body; the b.Loop form is printed beside it (see agree_test.go).
pairs = [
    ("wasm2go", "noop", ("go", "wasm2go", "direct", "noop", None), "go test", "Noop"),
    ("wasm2go", "add", ("go", "wasm2go", "direct", "add", None), "go test", "Add"),
    ("wasm2go", "string_roundtrip 51 B (view)", ("go", "wasm2go", "view", "string_roundtrip", 51), "go test", "StringRoundtrip51"),
    ("wasm2go", "sum_array 10000 (view)", ("go", "wasm2go", "view", "sum_array", 10000), "go test", "SumArray10000"),
]
for api in ("unguarded", "guarded", "guarded_batch"):
    pairs.append(("wasm2c", f"noop {api}", ("rust", "wasm2c", api, "noop", None), "criterion", f"wasm2c_noop/{api}"))
for api in ("unguarded", "guarded", "guarded_batch"):
    pairs.append(("wasm2c", f"add {api}", ("rust", "wasm2c", api, "add", None), "criterion", f"wasm2c_add/{api}"))
pairs += [
    ("wasm2c", "string_roundtrip 51 B (view)", ("rust", "wasm2c", "view", "string_roundtrip", 51), "criterion", "wasm2c_string_roundtrip_51/view"),
    ("wasm2c", "sum_array 10000 (view)", ("rust", "wasm2c", "view", "sum_array", 10000), "criterion", "wasm2c_sum_array_10000/view"),
]

ratios = {p[1] + p[0]: [] for p in pairs}
reads = {p[1] + p[0]: ([], []) for p in pairs}  # each round's (tool, independent) figure
missing = 0
for r in range(1, rounds + 1):
    tool = json.load(open(f"{work}/tool-{r}.json"))
    gob = go_bench(f"{work}/go-{r}.txt")
    crit = f"{work}/criterion-{r}"
    fl = {h: tool_row(tool, h, "native", "direct", "empty") for h in ("go", "rust")}
    ref = tool_row(tool, "rust", "native", "direct", "native_sum", 10000)
    if ref is not None:
        print(f"round {r}: the machine's state: native_sum 10000 (Rust, the tool's reference loop) {ref:.0f} ns")
    print(f"round {r}: the tool's harness floor (empty): go {fl['go']:.3f} ns, rust {fl['rust']:.3f} ns; "
          f"go test's: b.N {gob.get('Empty', float('nan')):.3f} ns, b.Loop {gob.get('EmptyLoop', float('nan')):.3f} ns")
    print(f"  {'engine':8} {'case':30} {'tool ns/op':>11} {'independent':>12} {'ratio':>6}")
    for eng, case, key, who, ind in pairs:
        t = tool_row(tool, *key)
        i = gob.get(ind) if who == "go test" else criterion(crit, ind)
        extra = ""
        if who == "go test" and gob.get(ind + "Loop") is not None:
            extra = f"  (b.Loop form {gob[ind + 'Loop']:.3f})"
        if t is None or i is None:
            missing += 1
            print(f"  {eng:8} {case:30} {'-' if t is None else f'{t:.3f}':>11} {'-' if i is None else f'{i:.3f}':>12}        (missing: {who})")
            continue
        ratios[case + eng].append(t / i)
        reads[case + eng][0].append(t)
        reads[case + eng][1].append(i)
        print(f"  {eng:8} {case:30} {t:11.3f} {i:12.3f} {t / i:6.2f}  {who}{extra}")
print(f"mean ratio tool / independent over {rounds} round(s) [each round's]:")
for eng, case, _, who, _ in pairs:
    v = ratios[case + eng]
    if v:
        print(f"  {eng:8} {case:30} {sum(v) / len(v):6.2f}  [{', '.join(f'{x:.2f}' for x in v)}]  vs {who}")
# A shared VM switches between speeds for seconds at a time (a busy sibling hyperthread:
# the same loop reads 1.4-1.7x slower for whole rows), so one round's pair can straddle
# two states. Each harness's fastest round is its reading in the machine's fast state;
# their ratio compares the harnesses in the same state.
print(f"fastest round of each harness over {rounds} round(s): tool / independent (within 10%?):")
bad = 0
for eng, case, _, who, _ in pairs:
    t, i = reads[case + eng]
    if t:
        q = min(t) / min(i)
        ok = abs(q - 1) <= 0.10
        bad += not ok
        print(f"  {eng:8} {case:30} {min(t):11.3f} {min(i):12.3f} {q:6.2f}  {'yes' if ok else 'NO'}  vs {who}")
if rounds < 3:
    print("  (fewer than 3 rounds: a fastest round may still be a slow state; use ROUNDS=5)")
print(f"{bad} of {sum(1 for k in reads if reads[k][0])} pairs outside 10% by their fastest rounds")
sys.exit(1 if missing else 0)
PY

python3 - "$work/paired-go.txt" "$work/tool-1.json" <<'PY' || rc=1
import json, statistics, sys
pairs = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 5 and f[0] == "PAIRED":
        pairs.setdefault(f[1], []).append((float(f[3]), float(f[4])))
if not pairs:
    print("paired: no PAIRED line in the go test output"); sys.exit(1)
floor = next((sum(r["sample_ns_per_op"]) / len(r["sample_ns_per_op"]) for r in json.load(open(sys.argv[2]))["results"]
              if (r["host"], r["runtime"], r["scenario"]) == ("go", "native", "empty")), None)
print("paired in one process (the tool's loop and sampler, then testing.B, alternating; "
      "median of the rounds' ratios tool / go test, within 10%?):")
bad = 0
for case, v in pairs.items():
    q = statistics.median(t / g for t, g in v)
    below = floor is not None and max(statistics.median(t for t, _ in v), statistics.median(g for _, g in v)) < floor
    ok = abs(q - 1) <= 0.10
    bad += not ok and not below
    note = "  below the harness floor (%.2f ns): both read their loop, not a call" % floor if below else ""
    print(f"  wasm2go  {case:30} {q:6.2f}  {'yes' if ok else 'NO'}  [{', '.join(f'{t / g:.2f}' for t, g in v)}]{note}")
print(f"{bad} wasm2go pair(s) above the harness floor outside 10% (paired)")
PY

# --- wasm2c paired in one process: the table (a block of its own, read from the bench's TSV).
python3 - "$work/paired-wasm2c.tsv" <<'PY' || rc=1
import csv, statistics, sys
rows = {}
with open(sys.argv[1]) as f:
    for r in csv.DictReader(f, delimiter="\t"):
        case = r["case"].replace("string_roundtrip/bytes=51", "string_roundtrip 51 B").replace("sum_array/len=10000", "sum_array 10000")
        rows.setdefault(f"{case} ({r['api']})", []).append((float(r["tool_ns"]), float(r["criterion_ns"])))
n = max((len(v) for v in rows.values()), default=0)
print(f"paired in one process (criterion and the tool alternating, same machine state): wasm2c, {n} round(s), "
      "median of the rounds' ratios tool / criterion (within 10%?):")
print(f"  {'case':36} {'tool ns (med)':>13} {'criterion ns':>13} {'ratio':>6}        [each round's]")
bad = 0
for case, v in rows.items():
    q = statistics.median(t / c for t, c in v)
    ok = abs(q - 1) <= 0.10
    bad += not ok
    each = ", ".join(f"{t / c:.2f}" for t, c in v)
    print(f"  {case:36} {statistics.median(t for t, _ in v):13.3f} {statistics.median(c for _, c in v):13.3f} "
          f"{q:6.2f}  {'yes' if ok else 'NO':3}  [{each}]")
if n < 3:
    print("  (fewer than 3 rounds: a median of so few can still straddle states; use PAIRED_ROUNDS=5 or more)")
print(f"{bad} of {len(rows)} wasm2c pairs outside 10% by their paired median")
sys.exit(0 if rows else 1)
PY
exit $rc
