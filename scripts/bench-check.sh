#!/usr/bin/env bash
# Benchmark (not a test): checking every module of Debian's 6.1 kernel
# against its Module.symvers.
# Usage: [MODVER_BASE=path/to/other/modver] scripts/bench-check.sh [6.1|6.12|6.12-zst]
#        (default 6.1; 6.12's modules are .ko.xz, 6.12-zst the same as .ko.zst)
# Prints, from one run (MODVER_BENCH_ROUNDS rounds, default 3; medians of
# wall and CPU time, see scripts/bench-lib.sh), and peak RSS, of:
#   modver check over all modules (one process)
#   modver dump-modversions over all modules (one process)
#   the shell baseline: one `modprobe --dump-modversions` per module, joined
#     with awk against Module.symvers (mismatch/missing lines), and the same
#     loop without the join (its floor)
# and each as a ratio to the shell baseline (and, with MODVER_BASE, a
# second table of ratios to that binary). Both sides report the same
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
. scripts/cargo-bin.sh
modver=$(modver_bin release)
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/bench-lib.sh
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

xargs cat < "$work/list" > /dev/null  # warm the page cache
for round in $(seq "$bench_rounds"); do
  bench_run "modver-check" "$work/modver.out" sh -c "xargs -x -s 2000000 '$modver' check --symvers '$symvers' < '$work/list'"
  bench_run "modver-check-1-thread" /dev/null sh -c "MODVER_THREADS=1 xargs -x -s 2000000 '$modver' check --symvers '$symvers' < '$work/list'"
  if [[ -n ${MODVER_BASE:-} ]]; then
    bench_run "modver-check(MODVER_BASE)" /dev/null sh -c "xargs -x -s 2000000 '$MODVER_BASE' check --symvers '$symvers' < '$work/list'"
  fi
  bench_run "modver-dump-modversions" /dev/null sh -c "xargs -x -s 2000000 '$modver' dump-modversions < '$work/list'"
  bench_run "modprobe-loop-only(floor)" /dev/null sh -c "while read -r m; do modprobe --dump-modversions \"\$m\"; done < '$work/list'"
  bench_run "modprobe-loop+awk(baseline)" "$work/baseline.out" bash "$work/baseline.sh" "$symvers" "$work/list"
done

echo "problems reported: modver $(wc -l < "$work/modver.out"), baseline $(wc -l < "$work/baseline.out")"
bench_table "modprobe-loop+awk(baseline)"
[[ -z ${MODVER_BASE:-} ]] || bench_table "modver-check(MODVER_BASE)"
echo "(peak KiB is the largest single process)"
