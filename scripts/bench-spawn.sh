#!/usr/bin/env bash
# Benchmark (not a test): per-process start-up cost, as kbuild pays it (one
# process per object in gen_symversions / cmd_modversions_c).
# Usage: scripts/bench-spawn.sh [OBJECT...]
#   OBJECTs: objects to ask (default: testdata/symbols' LTO fixture, built
#   with clang-14). Each command runs $MODVER_BENCH_RUNS (default 300)
#   times per object in a shell loop.
# Prints, from one run, milliseconds per process of:
#   true                                (fork + exec floor)
#   modver --version                    (modver's start-up, no file read)
#   modver exports -q --kernel 6.1 OBJ  (what the hook runs per object)
#   llvm-nm OBJ | grep -q __ksymtab     (what kbuild runs per object)
# with modver exports' cost above `true`, and llvm-nm's ratio to it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
nm=${NM:-llvm-nm-14}
runs=${MODVER_BENCH_RUNS:-300}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-spawn.XXXXXX")
trap 'rm -rf "$work"' EXIT
objs=("$@")
if [[ ${#objs[@]} -eq 0 ]]; then
  bash testdata/symbols/build.sh "$work/fx" 14 >/dev/null
  objs=("$work"/fx/thin/demo_*.o)
fi
for o in "${objs[@]}"; do cat "$o" > /dev/null; done
per() { # name, command string with $o: ms per process over all objects
  local name=$1 cmd=$2 start end
  start=$(date +%s%N)
  for o in "${objs[@]}"; do
    for _ in $(seq "$runs"); do eval "$cmd" || true; done
  done > /dev/null 2>&1
  end=$(date +%s%N)
  awk -v n="$name" -v t=$((end - start)) -v k=$((runs * ${#objs[@]})) 'BEGIN { printf "%s %.3f\n", n, t / 1e6 / k }' >> "$work/results"
}
: > "$work/results"
per "true" 'true'
per "/bin/true" '/bin/true'
per "modver --version" '"$modver" --version'
per "modver exports -q" '"$modver" exports -q --kernel 6.1 "$o"'
per "llvm-nm | grep -q" '"$nm" "$o" 2>/dev/null | grep -q __ksymtab'
echo "objects: ${#objs[@]} ($(du -ch "${objs[@]}" | tail -1 | cut -f1)), $runs runs each; llvm-nm = $nm"
awk '{ name = $0; sub(/ [^ ]*$/, "", name); ms[name] = $NF; order[++n] = name }
  END {
    t = ms["/bin/true"]; e = ms["modver exports -q"]
    printf "%-22s %10s %16s %16s\n", "command", "ms/process", "above /bin/true", "vs modver exports"
    for (i = 1; i <= n; i++) {
      r = order[i]
      printf "%-22s %10.3f %16.3f %16s\n", r, ms[r], ms[r] - t, (e > 0) ? sprintf("%.1fx", ms[r] / e) : "-"
    }
  }' "$work/results"
echo "(the shell builtin true costs no fork; /bin/true is the fork + exec floor)"
