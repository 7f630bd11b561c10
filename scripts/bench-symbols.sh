#!/usr/bin/env bash
# Benchmark (not a test): reading the symbol tables of many kernel objects.
# Usage: scripts/bench-symbols.sh [DIR]
#   DIR: a tree of objects (e.g. an LTO kernel build); every *.o and *.a in
#   it is read. Without DIR, a corpus is made from testdata/symbols: the
#   fixture's bitcode, ELF and thin archives copied into $MODVER_BENCH_COPIES
#   (default 200) directories.
# Prints, from one run, wall time and peak RSS of:
#   modver symbols over all files (one process), native bitcode reader
#   the same through llvm-nm (--backend llvm-nm)
#   llvm-nm over all files (one process)
#   llvm-nm once per file (what kbuild does: one llvm-nm per object)
#   modver (native) once per file
# scripts/bench-native.sh also checks native == llvm-nm on every file first.
# and each as a ratio to llvm-nm once per file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base >/dev/null
cargo build --release -q
modver=$PWD/target/release/modver
nm=${NM:-llvm-nm-14}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ $# -ge 1 ]]; then
  src=$(cd "$1" && pwd)
  (cd "$src" && find . \( -name '*.o' -o -name '*.a' \) -type f ! -name '*.mod.o' -printf '%P\n' | sort) > "$work/list"
  # Keep only files llvm-nm reads (a build tree has odd objects).
  (cd "$src" && xargs -r "$nm" < "$work/list" >/dev/null 2>"$work/nm-errors") || true
  cd "$src"
else
  bash testdata/symbols/build.sh "$work/fx" 14 >/dev/null
  for i in $(seq 1 "${MODVER_BENCH_COPIES:-200}"); do
    mkdir -p "$work/c/$i"
    cp "$work"/fx/thin/demo_*.o "$work/c/$i/"
    for u in demo_main demo_util demo_data; do cp "$work/fx/elf/$u.o" "$work/c/$i/$u.elf.o"; done
    (cd "$work/c/$i" && llvm-ar-14 cDPrST demo-thin.a demo_main.o demo_util.o demo_data.o)
  done
  cd "$work/c"
  find . \( -name '*.o' -o -name '*.a' \) -printf '%P\n' | sort > "$work/list"
fi
n=$(wc -l < "$work/list")
bytes=$(xargs cat < "$work/list" | wc -c)
echo "corpus: $n files, $((bytes / 1024)) KiB ($(pwd)); llvm-nm = $nm"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>>"$work/stderr" || true
  read -r secs kib < "$work/t"
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results"
}
: > "$work/results"
cat "$work/list" > /dev/null  # warm the page cache
xargs cat < "$work/list" > /dev/null
measure "cat-all-files(floor)" sh -c "xargs cat < '$work/list' > /dev/null"
measure "modver-native-one-process" sh -c "xargs '$modver' symbols --backend native < '$work/list'"
measure "modver-via-llvm-nm-one-proc" sh -c "xargs '$modver' symbols --backend llvm-nm --nm '$nm' < '$work/list'"
measure "llvm-nm-one-process" sh -c "xargs '$nm' < '$work/list'"
measure "llvm-nm-per-file(kbuild)" sh -c "while read -r f; do '$nm' \"\$f\"; done < '$work/list'"
measure "modver-native-per-file" sh -c "while read -r f; do '$modver' symbols --backend native \"\$f\"; done < '$work/list'"

base=$(awk '$1 == "llvm-nm-per-file(kbuild)" { print $2 }' "$work/results")
printf '\n%-28s %9s %12s %22s\n' "run" "seconds" "peak KiB" "vs llvm-nm per file"
awk -v b="$base" '{ r = ($2 > 0) ? b / $2 : 0; printf "%-28s %9.2f %12d %21.1fx\n", $1, $2, $3, r }' "$work/results"
echo "(ratio > 1: faster than kbuild's one llvm-nm per object; peak KiB is the largest single process)"
