#!/usr/bin/env bash
# What each engine gives up, measured: runs the small bad guests of scenarios/probes/ on
# every engine of both hosts, each in its own worker (the same workers `interop-bench run`
# starts), and prints a markdown table of what happened: contained (the trap became an
# error and the worker went on to the next scenario), the worker died, the worker hung
# until killed, the module was rejected, or it ran.
#
#   scripts/probe-capabilities.sh [RUNTIME...]     (default: every runtime of both hosts)
#
# Needs: a release build (cargo build --release), Go, wat2wasm (Debian's wabt, installed
# by scripts/install-deps.sh). Hangs are cut after $PROBE_HANG_S seconds (default 5).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/target/release/interop-bench"
list="$root/scenarios/scenarios.toml"
hang=${PROBE_HANG_S:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$bench" ] || { echo "no $bench: run cargo build --release first" >&2; exit 1; }
command -v wat2wasm >/dev/null || { echo "no wat2wasm: run scripts/install-deps.sh" >&2; exit 1; }
for p in trap oob recursion loop simd; do
  wat2wasm "$root/scenarios/probes/$p.wat" -o "$work/$p.wasm" || exit 1
done
# invalid.wat is valid text; the same function with i64.add is not a valid module, and
# wat2wasm --no-check writes it anyway.
sed 's/i32.add))$/i64.add))/' "$root/scenarios/probes/invalid.wat" >"$work/invalid.wat"
wat2wasm --no-check "$work/invalid.wat" -o "$work/invalid.wasm" || exit 1

gohost="$work/interop-go-host"
have_go=0
if command -v go >/dev/null && (cd "$root/go" && go build -o "$gohost" ./cmd/interop-go-host); then have_go=1; fi

runtimes=("$@")
if [ ${#runtimes[@]} -eq 0 ]; then
  mapfile -t runtimes < <("$bench" list 2>/dev/null | awk '/^Runtimes/{on=1;next} /^$/{on=0} on && $1!="native"{print $1}')
  if [ $have_go -eq 1 ]; then
    mapfile -t -O ${#runtimes[@]} runtimes < <("$gohost" --runtime list | sed -n 's/.*"runtime":"\([^"]*\)".*/\1/p' | grep -v '^native$')
  fi
fi

probes=(trap oob recursion loop invalid simd)
printf '| host | runtime | %s |\n' "$(IFS='|'; echo "${probes[*]}" | sed 's/|/ | /g')"
printf '|---|---|%s\n' "$(for _ in "${probes[@]}"; do printf -- '---|'; done)"
for rt in "${runtimes[@]}"; do
  if "$bench" list 2>/dev/null | awk '{print $1}' | grep -qx -- "$rt"; then
    host=rust; worker=("$bench" worker)
  else
    host=go; worker=("$gohost")
  fi
  cells=()
  for p in "${probes[@]}"; do
    limit=60; [ "$p" = loop ] && limit=$hang
    out="$work/$rt-$p.out"; err="$work/$rt-$p.err"
    timeout "$limit" "${worker[@]}" --runtime "$rt" --guest "$work/$p.wasm" --scenarios-file "$list" \
      --scenario add --scenario instantiate --warmup-ms 0 --target-sample-ms 0.05 --samples 2 >"$out" 2>"$err"
    rc=$?
    add_rows=$(grep -c '"event":"row".*"scenario":"add"' "$out")
    later=$(grep -c '"event":"row".*"scenario":"instantiate"' "$out")
    msg=$(grep -o '"scenario":"add"[^}]*"error":"[^"]*' "$out" | head -1 | sed 's/.*"error":"//')
    if [ $rc -eq 124 ]; then cell="hung: killed after ${limit} s"
    elif [ $rc -ne 0 ]; then
      why=$(grep -v '^\(wasm2go\|wasm2c\): \(translating\|building\)' "$err" | grep -v '^\s*$' | head -1 | cut -c1-60)
      [ $rc -gt 128 ] && why="SIG$(kill -l $((rc - 128)))${why:+; $why}"
      if [ -n "$msg" ]; then cell="first API contained, then worker died (exit $rc: $why)"; else cell="worker died (exit $rc: $why)"; fi
    elif [ "$add_rows" -gt 0 ]; then
      if [ "$p" = invalid ]; then cell="ran an invalid module ($add_rows rows)"; else cell="ran ($add_rows rows)"; fi
    elif echo "$msg" | grep -qiE 'failed to compile|compile guest|rejected the module|could not translate|cannot be translated|cannot run this module'; then cell="rejected"
    elif [ "$p" = simd ] || [ "$p" = invalid ]; then cell="not run: ${msg:0:60}"
    elif [ -n "$msg" ] && [ "$later" -gt 0 ]; then cell="contained"
    elif [ -n "$msg" ]; then cell="error, run stopped"
    else cell="?"
    fi
    cells+=("$cell")
    echo "$host $rt $p: rc=$rc ${msg:0:200}" >>"$work/details"
  done
  printf '| %s | %s | %s |\n' "$host" "$rt" "$(IFS='|'; echo "${cells[*]}" | sed 's/|/ | /g')"
done
echo
echo "Details (first failure message of each probe):"
sed 's/^/    /' "$work/details"
