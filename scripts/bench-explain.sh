#!/usr/bin/env bash
# Benchmark (not a test): `modver explain` against SUSE's `ksymtypes
# compare` (suse-kabi-tools) on a tree-sized pair.
# Usage: [KSYMTYPES=path/to/ksymtypes] scripts/bench-explain.sh TREE [STRUCT]
#   TREE: a KBUILD_SYMTYPES=1 tree (every *.symtypes under it).
#   STRUCT (default kobject): OLD is a copy of the tree's symtypes; NEW the
#   same with a member `unsigned long modver_bench ;` added at the start of
#   `struct STRUCT` in every file defining it, as a real change to a widely
#   used header struct would.
# Prints, from one run (MODVER_BENCH_ROUNDS rounds, default 3; medians of
# wall and CPU time, see scripts/bench-lib.sh), and peak RSS, of modver
# explain (MODVER_THREADS=1 and 2, text and JSON) and of ksymtypes compare
# -j1 and -j2, with ratios to ksymtypes at the same thread count, and the
# number of exports each reports changed (they must agree).
# suse-kabi-tools is not packaged for Debian and is never vendored here:
# build it yourself and point KSYMTYPES at its ksymtypes binary; without it
# the ksymtypes rows are skipped and said so.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: scripts/bench-explain.sh TREE [STRUCT]" >&2; exit 2; }
struct=${2:-kobject}
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-explain.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/bench-lib.sh
tree=$(cd "$1" && pwd)
(cd "$tree" && find . -name '*.symtypes' -type f -printf '%P\n' | sort) > "$work/list"
(cd "$tree" && rsync -a --files-from="$work/list" . "$work/old/")
(cd "$tree" && rsync -a --files-from="$work/list" . "$work/new/")
changed=0
while read -r f; do
  if grep -q "^s#$struct struct $struct { " "$work/new/$f"; then
    sed -i "s/^s#$struct struct $struct { /&unsigned long modver_bench ; /" "$work/new/$f"
    changed=$((changed + 1))
  fi
done < "$work/list"
echo "pair: $(wc -l < "$work/list") symtypes files, $(du -sh "$work/old" | cut -f1) per side; struct $struct gained a member in $changed files"
find "$work/old" "$work/new" -type f -exec cat {} + > /dev/null  # warm the page cache
for round in $(seq "$bench_rounds"); do
  bench_run "modver-explain-j1" "$work/modver-j1.out" env MODVER_THREADS=1 "$modver" explain "$work/old" "$work/new"
  bench_run "modver-explain-j2" /dev/null env MODVER_THREADS=2 "$modver" explain "$work/old" "$work/new"
  bench_run "modver-explain-json-j2" /dev/null env MODVER_THREADS=2 "$modver" explain --format json "$work/old" "$work/new"
  if [[ -n ${KSYMTYPES:-} ]]; then
    bench_run "ksymtypes-compare-j1" "$work/ksymtypes-j1.out" "$KSYMTYPES" compare -j 1 "$work/old" "$work/new"
    bench_run "ksymtypes-compare-j2" /dev/null "$KSYMTYPES" compare -j 2 "$work/old" "$work/new"
  fi
done
m=$(grep -c ': CRC ' "$work/modver-j1.out" || true)
echo "exports reported changed: modver $m"
if [[ -n ${KSYMTYPES:-} ]]; then
  # ksymtypes prints one "The following N exports are affected" block per
  # changed type, then the exports indented by one space.
  k=$(grep -E '^ [A-Za-z_][A-Za-z0-9_]*$' "$work/ksymtypes-j1.out" | sort -u | wc -l)
  echo "exports reported changed: ksymtypes $k (distinct names)"
  km=$(grep ': CRC ' "$work/modver-j1.out" | awk '{ sub(":", "", $2); print $2 }' | sort -u | wc -l)
  echo "exports reported changed: modver $km (distinct names)"
else
  echo "ksymtypes: not measured (set KSYMTYPES=/path/to/ksymtypes from suse-kabi-tools)"
fi
if [[ -n ${KSYMTYPES:-} ]]; then bench_table "ksymtypes-compare{j}"; else bench_table "modver-explain-j1"; fi
