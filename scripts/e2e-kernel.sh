#!/usr/bin/env bash
# End-to-end test on a real kernel: a Clang ThinLTO + MODVERSIONS tinyconfig
# kernel with about twenty modules, built stock and through Makefile.rs-hook,
# compared byte for byte, booted under QEMU, and a negative case.
#
# Usage: bash scripts/e2e-kernel.sh [VERSION] [--source DIR|TARBALL] [--llvm N]
#                                   [--work DIR] [--steps "STEP..."] [--config NAME=VAL]...
#                                   [--rust]
#   VERSION   a Debian linux-source package: /usr/src/linux-source-VERSION.tar.xz
#             (6.1 and 6.12 on Debian 12). Default 6.1 unless --source is given.
#   --source  any kernel tree (used in place: it must not have been built in
#             place; the negative case patches one header and puts it back)
#             or a tarball of one (unpacked once into the work dir).
#   --llvm N  build with LLVM=-N (clang-N, ld.lld-N, llvm-nm-N ...). Default:
#             the oldest installed LLVM the tree's scripts/min-tool-version.sh
#             accepts.
#   --work    work dir (default $MODVER_E2E_DIR/kernel-build-X.Y if set, else
#             /work/kernel-build-X.Y when /work is writable, else
#             $TMPDIR/modver-kernel-build-X.Y). Each build starts from a fresh O= dir there
#             (out-stock, out-hook, out-negative, out-trim), which is kept.
#   --steps   default "stock hook compare boot negative"; "trim" adds a third
#             build with CONFIG_TRIM_UNUSED_KSYMS (MODVER_E2E_STEPS,
#             MODVER_E2E_TRIM=1 do the same).
#   --config  an extra kernel option (scripts/config --set-val), checked
#             like the others. 6.18.y needs --config NET=y: its tinyconfig
#             does not link vmlinux without it (lib/kobject_uevent.c's
#             !CONFIG_NET stub calls kfree_skb); a build that fails so says
#             which symbols were undefined.
#   --rust    (6.14+) the kernel also has RUST, GENDWARFKSYMS, DWARF 5 debug
#             info and EXTENDED_MODVERSIONS, and Rust sample modules; the
#             tree gets patches/0001-module-allow-GENDWARFKSYMS-with-LTO.patch
#             for the run. Steps: "hook extmod boot negative why nolto symver
#             crcs check stocklto" (why: modver why explains each stale
#             module of the negative case from the kernels' DWARF)
#             (scripts/e2e/rust.sh).
# Environment: MODVER_E2E_MODVER the modver binary the hook runs (default
# cargo's debug modver, built here); JOBS make -j (default 2).
#
# Prints one line per check (`ok`/`FAIL`) and ends with
# `e2e: N passed, M failed`; exits 0 only if nothing failed.
set -uo pipefail

REPO=${MODVER_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
for lib in common source config build compare boot negative trim rust; do
  # shellcheck source=/dev/null
  source "$REPO/scripts/e2e/$lib.sh"
done

usage() {
  sed -n 's/^# \{0,1\}//; /^Usage:/,/^Environment/p' "$0" | sed '$d' >&2
  exit 2
}
VER="" SOURCE="" LLVM_N="" WORK="" RUST=0
STEPS=${MODVER_E2E_STEPS:-}
while (($#)); do
  case $1 in
  --source) SOURCE=${2:?}; shift ;;
  --llvm) LLVM_N=${2:?}; shift ;;
  --work) WORK=${2:?}; shift ;;
  --steps) STEPS=${2?}; shift ;;
  --config) [[ ${2:-} == *=* ]] || usage; EXTRA_CONFIG+=("${2#CONFIG_}"); shift ;;
  --rust) RUST=1 ;;
  -h | --help) usage ;;
  -*) usage ;;
  *) [[ -z $VER ]] || usage; VER=$1 ;;
  esac
  shift
done
if [[ -z $STEPS ]]; then
  if ((RUST)); then STEPS="hook extmod boot negative why nolto symver crcs check stocklto"; else STEPS="stock hook compare boot negative"; fi
fi
[[ ${MODVER_E2E_TRIM:-0} == 1 ]] && STEPS="$STEPS trim"
[[ -n $VER || -n $SOURCE ]] || VER=6.1
[[ -n $SOURCE ]] || SOURCE=/usr/src/linux-source-$VER.tar.xz
[[ -z $LLVM_N || $LLVM_N =~ ^[0-9]+$ ]] || usage
JOBS=${JOBS:-2}

# ---------------------------------------------------------------- setup
bash "$REPO/scripts/setup.sh" base kbuild kernel || die "scripts/setup.sh base kbuild kernel"
[[ -e $SOURCE ]] || die "no kernel source $SOURCE${VER:+ (Debian: apt-get install linux-source-$VER, or give --source DIR|TARBALL)}"
if [[ -d $SOURCE ]]; then
  SRC=$(cd "$SOURCE" && pwd)
  [[ -f $SRC/Makefile ]] || die "$SRC: no Makefile, not a kernel tree"
  KVER=$(tree_version "$SRC")
  W=${WORK:-$(e2e_workdir "${KVER%.*}")}
  mkdir -p "$W" || die "mkdir $W"
  # Not ours to clean: a tree built in place makes every O= build refuse.
  [[ -f $SRC/.config || -d $SRC/include/config ]] && die "$SRC was built in place; run 'make mrproper' there first"
else
  # The work dir of a tarball is named after the version given, else
  # after the tarball.
  tb=$(basename "$SOURCE")
  tb=${tb%.tar*}
  W=${WORK:-$(e2e_workdir "${VER:-${tb#linux-source-}}")}
  mkdir -p "$W" || die "mkdir $W"
  SRC=$(unpack_tarball "$SOURCE" "$W") || die "unpack $SOURCE"
  KVER=$(tree_version "$SRC")
fi
[[ -n $KVER ]] || die "$SRC: no VERSION/PATCHLEVEL in its Makefile"
MIN_LLVM=$(min_llvm "$SRC")
if [[ -z $LLVM_N ]]; then
  LLVM_N=$(default_llvm "$SRC") || die "no installed LLVM >= $MIN_LLVM (scripts/setup.sh llvm-all)"
fi
((LLVM_N >= MIN_LLVM)) || die "kernel $KVER needs LLVM >= $MIN_LLVM (scripts/min-tool-version.sh), not $LLVM_N"
llvm_complete "$LLVM_N" || die "LLVM $LLVM_N is not installed completely (clang-$LLVM_N, lld-$LLVM_N, llvm-$LLVM_N)"
KMAKE=(make ARCH=x86_64 "LLVM=-$LLVM_N" -C "$SRC")
NM=llvm-nm-$LLVM_N
log "kernel $KVER from $SRC, LLVM=-$LLVM_N, work dir $W, steps: $STEPS"
# Our own unpacked tree: clean it if something built in place there.
[[ ! -d $SOURCE ]] && [[ -f $SRC/.config || -d $SRC/include/config ]] && "${KMAKE[@]}" -s mrproper

(cd "$REPO" && cargo build -q) || die "cargo build"
. "$REPO/scripts/cargo-bin.sh"
MODVER=${MODVER_E2E_MODVER:-$(modver_bin debug)}
if ((RUST)); then
  trap rust_restore EXIT
  rust_setup
fi
adapt_config "$SRC" || die "the tree's Kconfig lacks what the test needs"

HOOK=(MAKEFILES="$REPO/Makefile.rs-hook" MODVER="$MODVER")
STOCK=$W/out-stock
HOOKED=$W/out-hook
NEG=$W/out-negative
neg_restore
T0=$SECONDS

# ---------------------------------------------------------------- steps
step stock && build stock
step hook && build hook -- "${HOOK[@]}"
((RUST)) && step extmod && [[ -f $HOOKED/Module.symvers ]] &&
  check "extmod: testdata/rust-extmod (Rust, imports sg_init_table) built with make M= through the hook" rust_extmod
step compare && [[ -f $STOCK/Module.symvers && -f $HOOKED/Module.symvers ]] && compare
step boot && [[ -f $HOOKED/arch/x86/boot/bzImage ]] && boot_step hooked "$HOOKED"
step negative && [[ -f $HOOKED/Module.symvers ]] && negative_step
step why && why_step
step trim && trim_step
if ((RUST)); then
  step nolto && rust_nolto
  step symver && [[ -f $HOOKED/Module.symvers ]] &&
    check "symver: every exporting object's #SYMVER lines come from modver dwarfksyms" rust_symver_check "$HOOKED" &&
    log "symver: $SYMVER_OBJECTS objects versioned, $SYMVER_RUST of them Rust libraries"
  step crcs && [[ -f $HOOKED/Module.symvers && -f $W/out-nolto/Module.symvers ]] &&
    check "crcs: LTO (hooked) and non-LTO (stock) CRCs side by side" rust_crcs
  step check && [[ -f $HOOKED/Module.symvers ]] &&
    check "check: modver check of every .ko against the LTO build's Module.symvers: no problem" \
      "$MODVER" check --symvers "$HOOKED/Module.symvers" $(modules_ko "$HOOKED" | sed "s|^|$HOOKED/|")
  step stocklto && rust_stocklto
fi

for n in stock hook trim nolto; do [[ -n ${TIMES[$n]:-} ]] && echo "e2e: build time $n: ${TIMES[$n]}s"; done
echo "e2e: kernel $KVER, LLVM $LLVM_N: $((SECONDS - T0))s in all"
finish
