#!/usr/bin/env bash
# Benchmark (not a test): reading the symbol tables of many kernel objects.
# Usage: scripts/bench-symbols.sh [DIR]
#   DIR: a tree of objects (e.g. an LTO kernel build); every *.o and *.a in
#   it is read. Without DIR, a corpus is made from testdata/symbols: the
#   fixture's bitcode, ELF and thin archives copied into $MODVER_BENCH_COPIES
#   (default 200) directories.
# Prints, from one run (MODVER_BENCH_ROUNDS rounds of the one-process rows,
# default 3, one of the per-file loops; medians of wall and CPU time, see
# scripts/bench-lib.sh), and peak RSS, of:
#   cat of all files (the floor)
#   modver symbols over all files (one process), native bitcode reader, at
#     MODVER_THREADS=1..nproc (the thread-count curve)
#   the same through llvm-nm (--backend llvm-nm)
#   llvm-nm over all files (one process)
#   llvm-nm once per file (what kbuild does: one llvm-nm per object)
#   modver (native) once per file
# each as a ratio to cat, and to llvm-nm once per file. The one-process
# rows run their command MODVER_BENCH_REPEAT times (default 10) in one
# timing and record a tenth of it: a tree is read in tens of
# milliseconds, near /usr/bin/time's 10 ms resolution.
# scripts/bench-native.sh also checks native == llvm-nm on every file first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base >/dev/null
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
nm=${NM:-llvm-nm-14}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/bench-lib.sh

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

cat "$work/list" > /dev/null  # warm the page cache
xargs cat < "$work/list" > /dev/null
threads=$(nproc)
rep=${MODVER_BENCH_REPEAT:-10}
repeated() { # command line, run $rep times in one shell
  echo "for i in \$(seq $rep); do $1; done"
}
for round in $(seq "$bench_rounds"); do
  bench_reps=$rep
  bench_run "cat-all-files(floor)" /dev/null sh -c "$(repeated "xargs cat < '$work/list'")"
  for t in $(seq 1 "$threads"); do
    bench_run "modver-native-one-proc-j$t" /dev/null sh -c "$(repeated "MODVER_THREADS=$t xargs '$modver' symbols --backend native < '$work/list'")"
  done
  bench_run "modver-via-llvm-nm-one-proc" /dev/null sh -c "$(repeated "xargs '$modver' symbols --backend llvm-nm --nm '$nm' < '$work/list'")"
  bench_run "llvm-nm-one-process" /dev/null sh -c "$(repeated "xargs '$nm' < '$work/list'")"
done
# One round each: hundreds of processes per run.
bench_reps=1
bench_run "llvm-nm-per-file(kbuild)" /dev/null sh -c "while read -r f; do '$nm' \"\$f\"; done < '$work/list'"
bench_run "modver-native-per-file" /dev/null sh -c "while read -r f; do '$modver' symbols --backend native \"\$f\"; done < '$work/list'"

echo "against cat of the same files (the goal: modver one process within 1.5x cat):"
bench_table "cat-all-files(floor)"
echo
echo "(one-process rows: the mean of $rep runs in one timing; per-file rows: one run)"
echo "against kbuild's one llvm-nm per object:"
bench_table "llvm-nm-per-file(kbuild)"
echo "(peak KiB is the largest single process; -jN: MODVER_THREADS=N, the thread-count curve)"
