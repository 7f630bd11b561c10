#!/usr/bin/env bash
# Benchmark (not a test): the native bitcode symbol table reader (issue 6).
# Usage: scripts/bench-native.sh [DIR]
#   DIR: a tree of objects (e.g. an LTO kernel build); every *.o and *.a in
#   it is read. Default: the 6.1 e2e's out-stock (scripts/e2e-kernel.sh) if it exists, else
#   (or with DIR = "corpus") a corpus of testdata/bitcode (clang-$V, x86_64,
#   thin + full LTO) copied into $MODVER_BENCH_COPIES (default 300)
#   directories.
# Environment: V (LLVM version of llvm-nm and the corpus, default 14).
# Prints, from one run, wall time and peak RSS of:
#   cat of all files (the floor: reading the bytes)
#   modver --backend native over all files (one process, all cores / 1 thread)
#   modver --backend llvm-nm over all files (one process + one llvm-nm)
#   llvm-nm over all files (one process)
#   llvm-nm once per file (kbuild) and modver --backend native once per file
# with ratios to one llvm-nm over all files and to llvm-nm per file, after
# checking that native and llvm-nm print the same bytes for the whole list.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${V:-14}
bash scripts/setup.sh base >/dev/null
[[ -x /usr/bin/time ]] || { echo "bench-native.sh: /usr/bin/time missing: apt-get install time" >&2; exit 2; }
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
nm=llvm-nm-$V
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-native.XXXXXX")
trap 'rm -rf "$work"' EXIT

dir=${1:-}
source scripts/e2e/common.sh
e2e61=$(e2e_workdir 6.1)/out-stock
if [[ -z $dir && -d $e2e61 ]]; then dir=$e2e61; fi
[[ $dir == corpus ]] && dir=
if [[ -n $dir ]]; then
  src=$(cd "$dir" && pwd)
  cd "$src"
  find . \( -name '*.o' -o -name '*.a' \) -type f -printf '%P\n' | sort > "$work/all"
  # Keep what llvm-nm reads (a build tree has odd files).
  : > "$work/list"
  while read -r f; do "$nm" "$f" >/dev/null 2>&1 && echo "$f"; done < "$work/all" > "$work/list"
else
  bash testdata/bitcode/build.sh "$V" "$work/fx" >/dev/null
  for i in $(seq 1 "${MODVER_BENCH_COPIES:-300}"); do
    mkdir -p "$work/c/$i"
    cp "$work"/fx/x86_64-linux-gnu-*.o "$work/c/$i/"
  done
  cd "$work/c"
  find . -name '*.o' -printf '%P\n' | sort > "$work/list"
fi
n=$(wc -l < "$work/list")
bytes=$(xargs cat < "$work/list" | wc -c)
echo "corpus: $n files, $((bytes / 1024)) KiB ($(pwd)); llvm-nm = $nm"

# Same bytes first (default and -P), else the timing means nothing.
xargs "$modver" symbols --backend native < "$work/list" > "$work/native.out" 2>/dev/null
xargs "$nm" < "$work/list" > "$work/nm.out" 2>/dev/null
cmp -s "$work/native.out" "$work/nm.out" || { echo "bench-native.sh: native output differs from $nm" >&2; exit 1; }
xargs "$modver" symbols --backend native -f posix < "$work/list" > "$work/native.out" 2>/dev/null
xargs "$nm" -P < "$work/list" > "$work/nm.out" 2>/dev/null
cmp -s "$work/native.out" "$work/nm.out" || { echo "bench-native.sh: native -P output differs from $nm -P" >&2; exit 1; }
echo "check: modver --backend native == $nm on all $n files (BSD and POSIX)"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>>"$work/stderr" || true
  read -r secs kib < "$work/t"
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results"
}
: > "$work/results"
xargs cat < "$work/list" > /dev/null  # warm the page cache
measure "cat-all(floor)" sh -c "xargs cat < '$work/list'"
measure "native-one-process" sh -c "xargs '$modver' symbols --backend native < '$work/list'"
measure "native-1-thread" sh -c "MODVER_THREADS=1 xargs '$modver' symbols --backend native < '$work/list'"
measure "modver-llvm-nm-backend" sh -c "xargs '$modver' symbols --backend llvm-nm --nm '$nm' < '$work/list'"
measure "llvm-nm-one-process" sh -c "xargs '$nm' < '$work/list'"
measure "llvm-nm-per-file(kbuild)" sh -c "while read -r f; do '$nm' \"\$f\"; done < '$work/list'"
measure "native-per-file" sh -c "while read -r f; do '$modver' symbols --backend native \"\$f\"; done < '$work/list'"

one=$(awk '$1 == "llvm-nm-one-process" { print $2 }' "$work/results")
per=$(awk '$1 == "llvm-nm-per-file(kbuild)" { print $2 }' "$work/results")
printf '\n%-24s %9s %10s %18s %18s\n' "run" "seconds" "peak KiB" "vs 1 llvm-nm" "vs llvm-nm/file"
awk -v o="$one" -v p="$per" '{
  ro = ($2 > 0) ? o / $2 : 0; rp = ($2 > 0) ? p / $2 : 0
  printf "%-24s %9.3f %10d %17.1fx %17.1fx\n", $1, $2, $3, ro, rp }' "$work/results"
echo "(ratio > 1: faster than the baseline; 0.00 s means below /usr/bin/time's 10 ms resolution)"
echo "(per-file rows compare spawning modver per object with spawning llvm-nm per object)"
