#!/usr/bin/env bash
# Benchmark (not a test): checking every module of Debian's 6.1 kernel
# against its Module.symvers.
# Usage: [MODVER_BASE=path/to/other/modver] scripts/bench-check.sh [6.1|6.12|6.12-zst]
#        (default 6.1; 6.12's modules are .ko.xz, 6.12-zst the same as .ko.zst)
# Prints, from one run, wall time and peak RSS of:
#   modver check over all modules (one process)
#   modver dump-modversions over all modules (one process)
#   the shell baseline: one `modprobe --dump-modversions` per module, joined
#     with awk against Module.symvers (mismatch/missing lines), and the same
#     loop without the join (its floor)
# and each as a ratio to the shell baseline. Both sides report the same
# problems (none on a consistent tree); the script checks that.
#   with MODVER_BASE: the same modver check with that binary (e.g. a build
#     of an older commit), for before/after in one run
#   modver check with MODVER_THREADS=1 (the parallel reading's share)
# `modver explain` vs SUSE's `ksymtypes compare`: scripts/bench-explain.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
series=${1:-6.1}
bash scripts/setup.sh base kbuild >/dev/null
cargo build --release -q
modver=$PWD/target/release/modver
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
measure() { # name, output file, command...
  local name=$1 outf=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$outf" 2>>"$work/stderr" || true
  read -r secs kib < <(tail -n 1 "$work/t")
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results"
}
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
measure "modver-check-1-thread" /dev/null sh -c "MODVER_THREADS=1 xargs -x -s 2000000 '$modver' check --symvers '$symvers' < '$work/list'"
if [[ -n ${MODVER_BASE:-} ]]; then
  measure "modver-check(MODVER_BASE)" /dev/null sh -c "xargs -x -s 2000000 '$MODVER_BASE' check --symvers '$symvers' < '$work/list'"
fi
measure "modver-dump-modversions" /dev/null sh -c "xargs -x -s 2000000 '$modver' dump-modversions < '$work/list'"
measure "modprobe-loop-only(floor)" /dev/null sh -c "while read -r m; do modprobe --dump-modversions \"\$m\"; done < '$work/list'"
measure "modprobe-loop+awk(baseline)" "$work/baseline.out" bash "$work/baseline.sh" "$symvers" "$work/list"

echo "problems reported: modver $(wc -l < "$work/modver.out"), baseline $(wc -l < "$work/baseline.out")"
base=$(awk '$1 == "modprobe-loop+awk(baseline)" { print $2 }' "$work/results")
printf '\n%-30s %9s %12s %18s\n' "run" "seconds" "peak KiB" "vs baseline"
awk -v b="$base" '{ r = ($2 > 0) ? b / $2 : 0; printf "%-30s %9.2f %12d %17.1fx\n", $1, $2, $3, r }' "$work/results"
echo "(ratio > 1: faster than the modprobe loop; peak KiB is the largest single process)"
