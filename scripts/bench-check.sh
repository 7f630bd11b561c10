#!/usr/bin/env bash
# Benchmark (not a test): checking every module of Debian's 6.1 kernel
# against its Module.symvers.
# Usage: [KSYMTYPES=path/to/ksymtypes] [MODVER_BENCH_PARTS="check explain"] \
#        scripts/bench-check.sh [6.1|6.12]   (default 6.1)
# Prints, from one run, wall time and peak RSS of:
#   modver check over all modules (one process)
#   modver dump-modversions over all modules (one process)
#   the shell baseline: one `modprobe --dump-modversions` per module, joined
#     with awk against Module.symvers (mismatch/missing lines), and the same
#     loop without the join (its floor)
# and each as a ratio to the shell baseline. Both sides report the same
# problems (none on a consistent tree); the script checks that.
# `modver explain` vs SUSE's `ksymtypes compare` is not measured: see the
# note in the commit/report (suse-kabi-tools is not packaged for Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
series=${1:-6.1}
bash scripts/setup.sh base kbuild >/dev/null
cargo build --release -q
modver=$PWD/target/release/modver
parts=" ${MODVER_BENCH_PARTS:-check explain} "
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
measure() { # name, output file, command...
  local name=$1 outf=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$outf" 2>>"$work/stderr" || true
  read -r secs kib < <(tail -n 1 "$work/t")
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results"
}
if [[ $parts == *" check "* ]]; then
root=$(bash scripts/fetch-debian-modules.sh "$series" 2>/dev/null | awk -F'\t' -v s="$series" '$1 == s { print $2 }')
find "$root/modules" -name '*.ko*' | sort > "$work/list"
symvers=$root/Module.symvers
n=$(wc -l < "$work/list")
echo "corpus: Debian $series, $n modules, $(xargs cat < "$work/list" | wc -c | awk '{ printf "%d MiB", $1 / 1048576 }'), $(wc -l < "$symvers") Module.symvers lines"

cat > "$work/baseline.sh" <<'SH'
# One modprobe per module, each table joined against Module.symvers.
symvers=$1; list=$2
while read -r m; do
  modprobe --dump-modversions "$m" |
    awk -v m="$m" -F'\t' 'NR == FNR { crc[$2] = $1; next }
      !($2 in crc) { if ($2 != "module_layout") print m ": missing: " $2; next }
      crc[$2] != $1 { print m ": mismatch: " $2 ": module " $1 ", " crc[$2] }' "$symvers" -
done < "$list"
SH

: > "$work/results"
xargs cat < "$work/list" > /dev/null  # warm the page cache
measure "modver-check" "$work/modver.out" sh -c "xargs -x -s 2000000 '$modver' check --symvers '$symvers' < '$work/list'"
measure "modver-dump-modversions" /dev/null sh -c "xargs -x -s 2000000 '$modver' dump-modversions < '$work/list'"
measure "modprobe-loop-only(floor)" /dev/null sh -c "while read -r m; do modprobe --dump-modversions \"\$m\"; done < '$work/list'"
measure "modprobe-loop+awk(baseline)" "$work/baseline.out" bash "$work/baseline.sh" "$symvers" "$work/list"

echo "problems reported: modver $(wc -l < "$work/modver.out"), baseline $(wc -l < "$work/baseline.out")"
base=$(awk '$1 == "modprobe-loop+awk(baseline)" { print $2 }' "$work/results")
printf '\n%-30s %9s %12s %18s\n' "run" "seconds" "peak KiB" "vs baseline"
awk -v b="$base" '{ r = ($2 > 0) ? b / $2 : 0; printf "%-30s %9.2f %12d %17.1fx\n", $1, $2, $3, r }' "$work/results"
echo "(ratio > 1: faster than the modprobe loop; peak KiB is the largest single process)"
fi

# --- modver explain vs SUSE's ksymtypes compare (only with KSYMTYPES set) ---
# suse-kabi-tools is not packaged for Debian and is never vendored here;
# build it yourself and point KSYMTYPES at its ksymtypes binary.
[[ $parts == *" explain "* ]] || exit 0
if [[ -z "${KSYMTYPES:-}" ]]; then
  echo
  echo "explain: skipped (set KSYMTYPES=/path/to/ksymtypes from suse-kabi-tools to compare)"
  exit 0
fi
# A synthetic KBUILD_SYMTYPES-like tree: $files files, each with a copy of a
# chain of $common shared header structs (as real trees repeat header types
# in every file) plus its own types and 5 exports; NEW changes one member of
# a file-local struct in every 10th file and one shared struct everywhere.
files=${MODVER_BENCH_SYMTYPES_FILES:-2000} common=${MODVER_BENCH_COMMON_TYPES:-60}
gen() { # dir variant
  mkdir -p "$1"
  awk -v files="$files" -v common="$common" -v variant="$2" -v dir="$1" 'BEGIN {
    for (f = 1; f <= files; f++) {
      out = sprintf("%s/d%d/file%d.symtypes", dir, f % 50, f)
      system("mkdir -p " dir "/d" (f % 50))
      for (c = 1; c <= common; c++) {
        extra = (variant == "new" && c == common) ? "unsigned long gen ; " : ""
        prev = (c > 1) ? sprintf("s#common%d * prev ; ", c - 1) : ""
        printf "s#common%d struct common%d { int a ; %s%slong b [ 4 ] ; } \n", c, c, prev, extra > out
      }
      extra = (variant == "new" && f % 10 == 0) ? "unsigned int color ; " : ""
      printf "s#base%d struct base%d { int id ; long flags ; %ss#common%d * c ; } \n", f, f, extra, common > out
      printf "t#base%d_t typedef s#base%d base%d_t \n", f, f, f > out
      printf "s#holder%d struct holder%d { t#base%d_t * w ; int n ; } \n", f, f, f > out
      for (k = 1; k <= 5; k++)
        printf "exp%d_%d int exp%d_%d ( s#holder%d * , int ) \n", f, k, f, k, f > out
      close(out)
    }
  }'
}
gen "$work/st/old" old
gen "$work/st/new" new
echo
echo "symtypes corpus: $files files x ($common shared + 3 own types, 5 exports), $(du -sh "$work/st/old" | cut -f1) per side"
: > "$work/results2"
measure2() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$work/$name.out" 2>>"$work/stderr" || true
  read -r secs kib < <(tail -n 1 "$work/t")
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results2"
}
measure2 modver-explain "$modver" explain "$work/st/old" "$work/st/new"
measure2 modver-explain-json "$modver" explain --format json "$work/st/old" "$work/st/new"
measure2 ksymtypes-compare-j1 "$KSYMTYPES" compare -j 1 "$work/st/old" "$work/st/new"
measure2 ksymtypes-compare "$KSYMTYPES" compare "$work/st/old" "$work/st/new"
echo "exports reported changed: modver $(grep -c ': CRC ' "$work/modver-explain.out"), ksymtypes $(grep '^ exp' "$work/ksymtypes-compare.out" | sort -u | wc -l)"
base=$(awk '$1 == "ksymtypes-compare-j1" { print $2 }' "$work/results2")
printf '\n%-30s %9s %12s %18s\n' "run" "seconds" "peak KiB" "vs ksymtypes -j1"
awk -v b="$base" '{ r = ($2 > 0) ? b / $2 : 0; printf "%-30s %9.2f %12d %17.2fx\n", $1, $2, $3, r }' "$work/results2"
