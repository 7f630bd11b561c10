#!/usr/bin/env bash
# Benchmark (not a test): CRC computation from symtypes.
# Usage: scripts/bench-crc.sh
#   MODVER_BENCH_TYPES (default 2000) types and MODVER_BENCH_EXPORTS (default
#   2000) exports are generated into one C file (scripts/gen-crc-corpus.awk),
#   preprocessed with -D__GENKSYMS__ and run through the real genksyms 6.1
#   (-T writes the symtypes); the symtypes file is then copied
#   MODVER_BENCH_COPIES (default 5) times.
# Prints, from one run, wall time and peak RSS of:
#   genksyms 6.1 on the preprocessed C (parse C + expand + CRC + write -T)
#   modver crc on the one symtypes file (parse symtypes + expand + CRC)
#   modver crc on all copies (one process)
#   modver parse only: the type lines alone (no exports), 10x the copies
# with MB/s of symtypes, CRCs/s, and modver's CRCs/s as a ratio to genksyms'.
# The CRC lines modver prints are compared with genksyms' (must be equal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base kbuild >/dev/null
cargo build --release -q
modver=$PWD/target/release/modver
genksyms=/usr/lib/linux-kbuild-6.1/scripts/genksyms/genksyms
cc=${CC:-clang-19}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-crc.XXXXXX")
trap 'rm -rf "$work"' EXIT

types=${MODVER_BENCH_TYPES:-2000} exports=${MODVER_BENCH_EXPORTS:-2000} copies=${MODVER_BENCH_COPIES:-5}
(cd "$work" && awk -v types="$types" -v exports="$exports" -v seed=42 -v header=gen.h \
  -f "$OLDPWD/scripts/gen-crc-corpus.awk" > gen.c)
$cc -E -D__GENKSYMS__ -I"$work" -Itestdata/crc/include "$work/gen.c" > "$work/gen.i"

measure() { # name, command... (stdout to $work/NAME.out)
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$work/$name.out"
  read -r secs kib < "$work/t"
  printf '%s %s %s\n' "$name" "$secs" "$kib" >> "$work/results"
}
: > "$work/results"
measure genksyms sh -c "'$genksyms' -T '$work/gen.symtypes' < '$work/gen.i'"
measure modver-one "$modver" crc --kernel 6.1 "$work/gen.symtypes"
cmp -s "$work/genksyms.out" "$work/modver-one.out" || { echo "bench-crc: modver and genksyms CRCs differ" >&2; exit 1; }
files=()
for i in $(seq 1 "$copies"); do cp "$work/gen.symtypes" "$work/copy$i.symtypes"; files+=("$work/copy$i.symtypes"); done
measure modver-copies "$modver" crc --kernel 6.1 "${files[@]}"
grep -v '^[a-z_0-9]* ' "$work/gen.symtypes" > "$work/types-only.symtypes" || true
ptypes=()
for i in $(seq 1 $((copies * 10))); do ptypes+=("$work/types-only.symtypes"); done
measure modver-parse-only "$modver" crc --kernel 6.1 "${ptypes[@]}"

ncrc=$(wc -l < "$work/genksyms.out")
size=$(stat -c %s "$work/gen.symtypes")
tsize=$(stat -c %s "$work/types-only.symtypes")
echo "corpus: $types types, $exports exports -> symtypes $((size / 1024)) KiB, $ncrc CRCs; x$copies copies"
awk -v n="$ncrc" -v size="$size" -v tsize="$tsize" -v copies="$copies" '
  { secs[$1] = $2; kib[$1] = $3 }
  END {
    g = secs["genksyms"]; if (g <= 0) g = 0.01
    printf "%-20s %8s %10s %12s %12s %10s\n", "run", "seconds", "peak KiB", "MB/s", "CRCs/s", "vs genksyms"
    split("genksyms modver-one modver-copies modver-parse-only", order, " ")
    for (i = 1; i <= 4; i++) {
      r = order[i]; s = secs[r]; if (s <= 0) s = 0.01
      bytes = (r == "modver-copies") ? size * copies : (r == "modver-parse-only") ? tsize * copies * 10 : size
      crcs = (r == "modver-copies") ? n * copies : (r == "modver-parse-only") ? 0 : n
      rate = crcs / s
      printf "%-20s %8.2f %10d %12.1f %12.0f %10s\n", r, secs[r], kib[r], bytes / s / 1e6, rate, \
        (crcs ? sprintf("%.1fx", rate / (n / g)) : "-")
    }
  }' "$work/results"
echo "(genksyms MB/s counts the symtypes it writes; it parses C, not symtypes)"
