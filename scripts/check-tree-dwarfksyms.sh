#!/usr/bin/env bash
# Real-kernel proof of `modver dwarfksyms` (issue 11): differential check
# against the real gendwarfksyms on every exporting object of a kernel tree,
# on ELF and on the same objects compiled as ThinLTO bitcode.
#
# Usage: scripts/check-tree-dwarfksyms.sh --source DIR --llvm N
#          [--gendwarfksyms PATH] [--objtree DIR] [--work DIR] [-j N]
#   --source DIR   a 6.14+ kernel source tree (only read: builds are out of tree)
#   --llvm N       the clang/LLVM version to build with (LLVM=-N)
#   --gendwarfksyms PATH  the oracle (default: the one the build made,
#                  OBJTREE/scripts/gendwarfksyms/gendwarfksyms)
#   --objtree DIR  an existing non-LTO build with CONFIG_GENDWARFKSYMS=y to
#                  check (default: configure and build one under --work:
#                  tinyconfig + MODVERSIONS + GENDWARFKSYMS + DWARF 5 +
#                  some =m modules, KBUILD_SYMTYPES=1)
#   --work DIR     where builds and results go (default: a temporary dir)
#
# Steps and what is compared (each counted, every difference listed):
#  1. kbuild: the #SYMVER lines kbuild stored in each .cmd file equal the
#     oracle run on that object now (the oracle is the one kbuild used).
#  2. ELF: for every object with __export_symbol_* (for a .S object, its
#     .gendwarfksyms.o, as kbuild does), modver dwarfksyms vs the oracle:
#     stdout, stderr, and the --symtypes file, plain and with --stable.
#  3. bitcode: every exporting C object compiled again by its own .cmd
#     command with ThinLTO flags (-flto=thin -fsplit-lto-unit
#     -fvisibility=hidden, as CONFIG_LTO_CLANG_THIN adds); modver on that
#     bitcode vs the oracle on the bitcode compiled back to ELF
#     (clang-N -c -x ir) — must be equal — and vs the non-LTO ELF result
#     (reported: LTO may legitimately change the DWARF).
# Exit 0 when steps 1-3 (not the LTO-vs-non-LTO report) have no difference.
set -uo pipefail
src="" llvm="" gdk="" objtree="" work="" jobs=2
usage() { sed -n '5,13p' "$0" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
  --source) src=$2; shift 2 ;;
  --llvm) llvm=$2; shift 2 ;;
  --gendwarfksyms) gdk=$2; shift 2 ;;
  --objtree) objtree=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  -j) jobs=$2; shift 2 ;;
  *) usage ;;
  esac
done
[[ -n $src && -n $llvm ]] || usage
src=$(cd "$src" && pwd) || exit 2
if [[ -z ${MODVER:-} ]]; then
  (cd "$(dirname "$0")/.." && cargo build --release -q) || exit 2
fi
. "$(dirname "$0")/cargo-bin.sh"
modver=${MODVER:-$(modver_bin release)}
if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/modver-tree-dwarfksyms.XXXXXX") || exit 2
fi
mkdir -p "$work" && work=$(cd "$work" && pwd) || exit 2
log() { echo "tree-dwarfksyms: $*"; }

if [[ -z $objtree ]]; then
  objtree=$work/elf
  kmake=(make -C "$src" LLVM=-"$llvm" ARCH=x86_64 O="$objtree")
  mkdir -p "$objtree"
  "${kmake[@]}" -s tinyconfig >/dev/null || exit 2
  # Options a tree does not define are dropped by olddefconfig; the ones
  # this check needs are verified below.
  "$src/scripts/config" --file "$objtree/.config" \
    -e 64BIT -e MODULES -e MODULE_UNLOAD -e MODVERSIONS -e GENDWARFKSYMS \
    -e DEBUG_KERNEL -e DEBUG_INFO -e DEBUG_INFO_DWARF5 -d DEBUG_INFO_NONE \
    -d DEBUG_INFO_REDUCED -d DEBUG_INFO_BTF -d LTO_CLANG_THIN -d LTO_CLANG_FULL \
    -d TRIM_UNUSED_KSYMS -d MODULE_SIG -e PRINTK -e NET -e JUMP_LABEL \
    -e RUNTIME_TESTING_MENU -e CRYPTO \
    -m CRC32 -m CRC16 -m CRC_ITU_T -m CRC_CCITT -m CRC7 -m CRC8 -m CRC4 \
    -m CRC_T10DIF -m CRC64 -m CRYPTO_ALGAPI2 -m CRYPTO_HASH2 -m CRYPTO_CRC32C \
    -m CRYPTO_SHA256 -m CRYPTO_CBC -m CRYPTO_ECB -m CRYPTO_AES -m XZ_DEC \
    -m XZ_DEC_TEST -m TEST_LKM -m TEST_STATIC_KEYS -m TEST_BITMAP \
    -m ZLIB_INFLATE -m ZLIB_DEFLATE -m LZ4_COMPRESS || exit 2
  "${kmake[@]}" -s olddefconfig >/dev/null || exit 2
  for o in MODVERSIONS GENDWARFKSYMS DEBUG_INFO MODULES; do
    grep -q "^CONFIG_$o=y" "$objtree/.config" ||
      { echo "tree-dwarfksyms: this tree's Kconfig does not give CONFIG_$o=y" >&2; exit 2; }
  done
  log "building $src in $objtree (LLVM=-$llvm, log: $objtree/build.log)"
  nice -n 10 "${kmake[@]}" -j"$jobs" KBUILD_SYMTYPES=1 all >"$objtree/build.log" 2>&1 ||
    { tail -20 "$objtree/build.log" >&2; exit 2; }
fi
objtree=$(cd "$objtree" && pwd) || exit 2
grep -q '^CONFIG_GENDWARFKSYMS=y' "$objtree/.config" ||
  { echo "tree-dwarfksyms: $objtree is not a CONFIG_GENDWARFKSYMS=y build" >&2; exit 2; }
nm=llvm-nm-$llvm clang=clang-$llvm
[[ -n $gdk ]] || gdk=$objtree/scripts/gendwarfksyms/gendwarfksyms
[[ -x $gdk ]] || { echo "tree-dwarfksyms: no gendwarfksyms at $gdk" >&2; exit 2; }
res=$work/results
rm -rf "$res" && mkdir -p "$res/elf" "$res/lto"
cd "$objtree" || exit 2

# The exporting objects, as kbuild's gen_symversions finds them.
find . -name '*.o' ! -name '*.gendwarfksyms.o' ! -name '*.mod.o' ! -path './scripts/*' \
  ! -path './tools/*' -type f -printf '%P\n' | LC_ALL=C sort |
  while read -r o; do
    # Compiled objects only: kbuild runs gendwarfksyms after a compile,
    # never on a composite object (ld -r) of a multi-object module.
    c=$(dirname "$o")/.$(basename "$o").cmd
    grep -q "^savedcmd_$o := $clang " "$c" 2>/dev/null || continue
    "$nm" "$o" 2>/dev/null | grep ' __export_symbol_' >/dev/null && echo "$o"
  done >"$res/objects"
nobj=$(wc -l <"$res/objects")
syms() { "$nm" "$1" | sed -n 's/.* __export_symbol_\(.*\)/\1/p'; }
# input OBJ: the file gendwarfksyms reads for OBJ.
input() { if [[ -f ${1%.o}.gendwarfksyms.o ]]; then echo "${1%.o}.gendwarfksyms.o"; else echo "$1"; fi; }
key() { echo "${1//\//__}"; }

# run TOOL OUT IN SYMS [flags]: stdout, stderr, symtypes of one run.
run() {
  local tool=$1 out=$2 in=$3 list=$4
  shift 4
  "$tool" "$@" --symtypes "$out.symtypes" "$in" <"$list" >"$out.out" 2>"$out.err"
  echo "rc $?" >>"$out.err"
}
gdk_run() { run "$gdk" "$@"; }
mv_run() {
  local out=$1 in=$2 list=$3
  shift 3
  run "$modver" "$out" "$in" "$list" dwarfksyms "$@"
}
# same A B: the three outputs of two runs are identical.
same() { cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.symtypes" "$2.symtypes"; }

k_eq=0 k_ne=0 e_eq=0 e_ne=0 nsym=0
: >"$res/differences"
while read -r o; do
  k=$(key "$o") in=$(input "$o") d=$res/elf/$k
  syms "$o" >"$d.syms"
  nsym=$((nsym + $(wc -l <"$d.syms")))
  gdk_run "$d.gdk" "$in" "$d.syms"
  # 1. kbuild's own #SYMVER lines (in the .cmd file) against the oracle now.
  cmdf=$(dirname "$o")/.$(basename "$o").cmd
  grep '^#SYMVER' "$cmdf" >"$d.kbuild" 2>/dev/null
  if cmp -s "$d.kbuild" "$d.gdk.out"; then k_eq=$((k_eq + 1)); else
    k_ne=$((k_ne + 1)); echo "kbuild-vs-oracle $o" >>"$res/differences"; fi
  # 2. modver vs the oracle, plain and --stable.
  for mode in plain stable; do
    flags=()
    [[ $mode == stable ]] && flags=(--stable)
    [[ $mode == stable ]] && gdk_run "$d.gdk-$mode" "$in" "$d.syms" "${flags[@]}"
    [[ $mode == plain ]] && for f in out err symtypes; do cp "$d.gdk.$f" "$d.gdk-$mode.$f"; done
    mv_run "$d.mv-$mode" "$in" "$d.syms" "${flags[@]}"
    if same "$d.gdk-$mode" "$d.mv-$mode"; then e_eq=$((e_eq + 1)); else
      e_ne=$((e_ne + 1)); echo "elf-$mode $o" >>"$res/differences"; fi
  done
done <"$res/objects"
log "$nobj exporting objects, $nsym exported symbols"
log "kbuild's .cmd #SYMVER vs oracle: $k_eq equal, $k_ne different"
log "ELF, modver vs $gdk (stdout+stderr+symtypes, plain and --stable): $e_eq equal, $e_ne different"

# 3. Bitcode: each C object compiled again by its .cmd command, with LTO flags.
b_obj=0 b_skip=0 b_eq=0 b_ne=0 l_sym=0 l_eq=0 l_ne=0
lto_flags="-flto=thin -fsplit-lto-unit -fvisibility=hidden"
while read -r o; do
  k=$(key "$o") d=$res/elf/$k l=$res/lto/$k
  cmdf=$(dirname "$o")/.$(basename "$o").cmd
  cmd=$(sed -n "s|^savedcmd_$o := ||p" "$cmdf" | sed 's/ ; .*//')
  # Only plain C compiles "clang ... -c -o OBJ SRC.c" can be redone as is.
  if [[ $cmd != "$clang "* || $cmd != *" -c -o $o "*".c"* ]]; then
    b_skip=$((b_skip + 1)); continue
  fi
  cmd=${cmd/ -c -o $o / $lto_flags -c -o $l.bc.o }
  cmd=$(sed "s|-Wp,-MMD,[^ ]*|-Wp,-MMD,$l.d|" <<<"$cmd")
  if ! eval "$cmd" 2>"$l.cc.err"; then
    echo "bitcode-compile $o" >>"$res/differences"; b_ne=$((b_ne + 1)); continue
  fi
  b_obj=$((b_obj + 1))
  "$clang" -c -x ir -o "$l.elf.o" "$l.bc.o" 2>>"$l.cc.err"
  mv_run "$l.mv" "$l.bc.o" "$d.syms" --backend native
  gdk_run "$l.gdk" "$l.elf.o" "$d.syms"
  if same "$l.mv" "$l.gdk"; then b_eq=$((b_eq + 1)); else
    b_ne=$((b_ne + 1)); echo "bitcode-vs-codegen $o" >>"$res/differences"; fi
  # LTO vs non-LTO, per symbol.
  l_sym=$((l_sym + $(wc -l <"$l.mv.out")))
  n=$(LC_ALL=C comm -12 <(LC_ALL=C sort "$l.mv.out") <(LC_ALL=C sort "$d.gdk.out") | wc -l)
  l_eq=$((l_eq + n))
  l_ne=$((l_ne + $(wc -l <"$l.mv.out") - n))
  if ! cmp -s "$l.mv.out" "$d.gdk.out"; then echo "lto-vs-nonlto $o" >>"$res/differences"; fi
done <"$res/objects"
log "bitcode: $b_obj C objects compiled as ThinLTO bitcode ($b_skip not plain C compiles, e.g. .S)"
log "bitcode, modver (native) vs oracle on clang -c -x ir: $b_eq equal, $b_ne different"
log "bitcode vs non-LTO ELF: $l_sym #SYMVER lines, $l_eq equal, $l_ne different"
log "results in $res (differences: $res/differences)"
grep -v '^lto-vs-nonlto' "$res/differences" | head -20
((k_ne + e_ne + b_ne == 0))
