#!/usr/bin/env bash
# Benchmark (not a test): CRC computation from symtypes.
# Usage: scripts/bench-crc.sh [TREE [BUILD]]
#   TREE: a KBUILD_SYMTYPES=1 tree; every *.symtypes under it is read.
#     BUILD (default TREE): the kernel build directory the tree came from,
#     with the .FOO.o.cmd files and the sources they name. For the genksyms
#     baseline each object's C is preprocessed once, untimed, with its own
#     command line (-E -D__GENKSYMS__, as kbuild's cmd_gensymtypes_c), and
#     the real genksyms (the build's own scripts/genksyms/genksyms, else
#     linux-kbuild-6.1's) is then run once per file as kbuild runs it
#     (-T FILE.symtypes -r /dev/null), timed. Without .cmd files (a copied
#     tree) the genksyms rows are skipped and said so.
#     Prints wall time, user CPU and peak RSS of: the genksyms loop, modver
#     crc over all files in one process (all cores, and MODVER_THREADS=1),
#     and their ratios; genksyms' #SYMVER lines and modver's must be equal.
#   Without TREE: a synthetic corpus. MODVER_BENCH_TYPES (default 2000)
#   types and MODVER_BENCH_EXPORTS (default 2000) exports are generated into
#   one C file (scripts/gen-crc-corpus.awk), preprocessed with -D__GENKSYMS__
#   and run through genksyms 6.1 (-T writes the symtypes); the symtypes file
#   is then copied MODVER_BENCH_COPIES (default 5) times. Prints genksyms on
#   the C, modver crc on the one file, on all copies, and on the type lines
#   alone (parse only), with MB/s, CRCs/s and the ratio to genksyms.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base kbuild >/dev/null
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
genksyms=/usr/lib/linux-kbuild-6.1/scripts/genksyms/genksyms
# A build tree's own genksyms (scripts/genksyms/genksyms of that kernel)
# when it has one: modver crc follows the genksyms of the tree's kernel.
if [[ $# -ge 1 && -x ${2:-$1}/scripts/genksyms/genksyms ]]; then
  genksyms=$(cd "${2:-$1}" && pwd)/scripts/genksyms/genksyms
fi
cc=${CC:-clang-19}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-crc.XXXXXX")
[[ -n ${MODVER_BENCH_KEEP:-} ]] || trap 'rm -rf "$work"' EXIT
: > "$work/results"
measure() { # name, command... (stdout to $work/NAME.out): seconds, user s, KiB
  local name=$1; shift
  /usr/bin/time -f "%e %U %M" -o "$work/t" "$@" > "$work/$name.out"
  read -r secs user kib < "$work/t"
  printf '%s %s %s %s\n' "$name" "$secs" "$user" "$kib" >> "$work/results"
}

if [[ $# -ge 1 ]]; then
  tree=$(cd "$1" && pwd) build=$(cd "${2:-$1}" && pwd)
  (cd "$tree" && find . -name '*.symtypes' -type f -printf '%P\n' | sort) > "$work/list"
  n=$(wc -l < "$work/list")
  size=$(cd "$tree" && xargs cat < "$work/list" | wc -c)
  # genksyms' input for a C file is its preprocessed C; assembly exports go
  # through cmd_gensymtypes_S (generated prototypes), not reproduced here:
  # the genksyms rows and the check use the C files, "modver-crc-C-files"
  # is modver on the same subset.
  have_cmd=yes
  : > "$work/list-c"
  while read -r f; do
    cmdf=$build/$(dirname "$f")/.$(basename "$f" .symtypes).o.cmd
    [[ -f $cmdf ]] || { have_cmd=; break; }
    sed -n '1p' "$cmdf" | grep -q '\.c *$' && echo "$f" >> "$work/list-c"
  done < "$work/list"
  if [[ -n $have_cmd ]]; then
    # Preprocess once (untimed), two at a time.
    mkdir -p "$work/i"
    export build work
    xargs -P 2 -I{} bash -c '
      f={}; cmdf=$build/$(dirname "$f")/.$(basename "$f" .symtypes).o.cmd
      cmd=$(sed -n "1s/^\(saved\)\{0,1\}cmd_[^ ]* := //p" "$cmdf" | sed -e "s/-Wp,-MMD,[^ ]* //" -e "s/ -c -o [^ ]* / -E -D__GENKSYMS__ /")
      mkdir -p "$work/i/$(dirname "$f")"
      (cd "$build" && eval "$cmd") > "$work/i/${f%.symtypes}.i"' < "$work/list-c"
    cat > "$work/genksyms-loop.sh" <<SH
while read -r f; do
  '$genksyms' -T "$work/i/\${f%.symtypes}.st" -r /dev/null < "$work/i/\${f%.symtypes}.i"
done < '$work/list-c'
SH
    measure genksyms-per-file bash "$work/genksyms-loop.sh"
  else
    echo "(no .o.cmd files for the symtypes under $build: genksyms rows skipped)"
  fi
  cd "$tree"
  xargs cat < "$work/list" > /dev/null  # warm the page cache
  measure modver-crc sh -c "xargs '$modver' crc --kernel 6.1 < '$work/list'"
  measure modver-crc-1-thread sh -c "MODVER_THREADS=1 xargs '$modver' crc --kernel 6.1 < '$work/list'"
  for i in 1 2 3 4; do measure "modver-crc-rerun$i" sh -c "xargs '$modver' crc --kernel 6.1 < '$work/list'"; done
  if [[ -n $have_cmd ]]; then
    measure modver-crc-C-files sh -c "xargs '$modver' crc --kernel 6.1 < '$work/list-c'"
    cmp -s "$work/genksyms-per-file.out" "$work/modver-crc-C-files.out" ||
      { echo "bench-crc: modver and genksyms CRCs differ (MODVER_BENCH_KEEP=1 keeps $work)" >&2; exit 1; }
    echo "check: modver crc == $genksyms on the $(wc -l < "$work/list-c") C files ($(wc -l < "$work/modver-crc-C-files.out") CRCs)"
  fi
  echo "corpus: $n symtypes files, $((size / 1024)) KiB, $(wc -l < "$work/modver-crc.out") exports ($tree)"
  awk -v size="$size" '
    { secs[$1] = $2; user[$1] = $3; kib[$1] = $4; order[++n] = $1 }
    END {
      g = secs["genksyms-per-file"]; gc = secs["modver-crc-C-files"]; if (gc > 0) printf "genksyms / modver on the same C files: %.0fx\n", g / gc
      printf "%-24s %8s %8s %10s %10s %12s\n", "run", "seconds", "user s", "peak KiB", "MB/s", "vs genksyms"
      for (i = 1; i <= n; i++) {
        r = order[i]; s = secs[r]; if (s <= 0) s = 0.005
        printf "%-24s %8.3f %8.2f %10d %10.1f %12s\n", r, secs[r], user[r], kib[r], size / s / 1e6, \
          (g ? sprintf("%.0fx", g / s) : "-")
      }
    }' "$work/results"
  echo "(genksyms parses the preprocessed C; MB/s counts the symtypes bytes; best of the modver-crc runs is the figure)"
  exit 0
fi

types=${MODVER_BENCH_TYPES:-2000} exports=${MODVER_BENCH_EXPORTS:-2000} copies=${MODVER_BENCH_COPIES:-5}
(cd "$work" && awk -v types="$types" -v exports="$exports" -v seed=42 -v header=gen.h \
  -f "$OLDPWD/scripts/gen-crc-corpus.awk" > gen.c)
$cc -E -D__GENKSYMS__ -I"$work" -Itestdata/crc/include "$work/gen.c" > "$work/gen.i"

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
  { secs[$1] = $2; kib[$1] = $4 }
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
