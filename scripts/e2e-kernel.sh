#!/usr/bin/env bash
# End-to-end test on a real kernel: a Clang ThinLTO + MODVERSIONS tinyconfig
# kernel with a dozen modules, built stock and through Makefile.rs-hook.
#
# Usage: bash scripts/e2e-kernel.sh [6.1|6.12]
#
# Environment:
#   MODVER_E2E_DIR   work dir (default /work/kernel-build-VER when /work is
#                    writable, else $TMPDIR/modver-kernel-build-VER). The
#                    unpacked tree there is reused; every build starts from a
#                    fresh O= output dir, which is kept for later inspection.
#   MODVER_E2E_STEPS steps to run, default "stock hook compare boot negative";
#                    add "trim" for a third build with CONFIG_TRIM_UNUSED_KSYMS
#                    (about as long as one build).
#   MODVER_E2E_TRIM=1 same as adding "trim" to the steps.
#   MODVER_E2E_MODVER the modver binary the hook runs (default: target/debug/modver,
#                    built by this script).
#   JOBS             make -j (default 2).
#
# Prints one line per check (`ok`/`FAIL`) and ends with
# `e2e: N passed, M failed`; exits 0 only if nothing failed.
set -uo pipefail

VER=${1:-6.1}
case $VER in 6.1 | 6.12) ;; *)
  echo "usage: $0 [6.1|6.12]" >&2
  exit 2
  ;;
esac

REPO=${MODVER_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
if [[ -z ${MODVER_E2E_DIR:-} ]]; then
  if [[ -w /work ]]; then MODVER_E2E_DIR=/work/kernel-build-$VER; else MODVER_E2E_DIR=${TMPDIR:-/tmp}/modver-kernel-build-$VER; fi
fi
W=$MODVER_E2E_DIR
SRC=$W/linux-source-$VER
JOBS=${JOBS:-2}
STEPS=${MODVER_E2E_STEPS:-stock hook compare boot negative}
[[ ${MODVER_E2E_TRIM:-0} == 1 ]] && STEPS="$STEPS trim"
KMAKE=(make -s ARCH=x86_64 LLVM=-14 -C "$SRC")

passed=0
failed=0
ok() {
  echo "ok   - $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL - $*"
  failed=$((failed + 1))
}
check() { # check DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
  echo "e2e: $passed passed, $failed failed"
  ((failed == 0))
  exit $?
}
step() { [[ " $STEPS " == *" $1 "* ]]; }
log() { echo "e2e: $*" >&2; }

# ---------------------------------------------------------------- setup
bash "$REPO/scripts/setup.sh" base kbuild kernel || {
  fail "scripts/setup.sh base kbuild kernel"
  finish
}
mkdir -p "$W"
if [[ ! -f $SRC/Makefile ]]; then
  log "unpacking /usr/src/linux-source-$VER.tar.xz into $W"
  rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp" &&
    tar -xf "/usr/src/linux-source-$VER.tar.xz" -C "$SRC.tmp" &&
    mv "$SRC.tmp/linux-source-$VER" "$SRC" && rmdir "$SRC.tmp" || {
    fail "unpack linux-source-$VER"
    finish
  }
fi
# A tree built in place would make every O= build refuse to run.
[[ -f $SRC/.config || -d $SRC/include/config ]] && "${KMAKE[@]}" mrproper

(cd "$REPO" && cargo build -q) || {
  fail "cargo build"
  finish
}
MODVER=${MODVER_E2E_MODVER:-$REPO/target/debug/modver}

# ---------------------------------------------------------------- config
# Options the test needs; each must end up with exactly this value.
WANT_Y=(64BIT MODULES MODULE_UNLOAD MODVERSIONS LTO_CLANG_THIN LTO_CLANG
  PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD BINFMT_ELF BINFMT_SCRIPT
  DEVTMPFS PROC_FS SYSFS JUMP_LABEL RUNTIME_TESTING_MENU)
# Modules: lib CRCs (crc32 is imported by crc32c_generic), the crypto API
# split into several multi-object modules that import from each other,
# xz (multi-object) + its test module, static-key tests (two modules that
# import from each other), test_module.
WANT_M=(CRC32 CRC16 CRC_ITU_T CRC_CCITT CRC7 CRC8 CRC4 CRC_T10DIF LIBCRC32C CRC64
  CRYPTO CRYPTO_ALGAPI2 CRYPTO_HASH2 CRYPTO_CRC32C CRYPTO_CRCT10DIF
  XZ_DEC XZ_DEC_TEST TEST_LKM TEST_STATIC_KEYS)
WANT_N=(TRIM_UNUSED_KSYMS MODULE_SIG LTO_NONE FTRACE
  RD_GZIP RD_BZIP2 RD_LZMA RD_XZ RD_LZO RD_LZ4 RD_ZSTD)

configure() { # configure OUTDIR [extra scripts/config args]
  local out=$1
  shift
  rm -rf "$out" && mkdir -p "$out" || return 1
  "${KMAKE[@]}" O="$out" tinyconfig >/dev/null || return 1
  local args=()
  for o in "${WANT_Y[@]}"; do args+=(-e "$o"); done
  for o in "${WANT_M[@]}"; do args+=(-m "$o"); done
  for o in "${WANT_N[@]}"; do args+=(-d "$o"); done
  args+=("$@")
  "$SRC/scripts/config" --file "$out/.config" "${args[@]}" || return 1
  "${KMAKE[@]}" O="$out" olddefconfig >/dev/null || return 1
}

config_is() { # config_is OUTDIR OPTION VALUE(y|m|n)
  local line
  line=$(grep -E "^(# )?CONFIG_$2[= ]" "$1/.config")
  case $3 in
  n) [[ -z $line || $line == "# CONFIG_$2 is not set" ]] ;;
  *) [[ $line == "CONFIG_$2=$3" ]] ;;
  esac
}

verify_config() { # verify_config OUTDIR [TRIM]
  local out=$1 bad=()
  for o in "${WANT_Y[@]}"; do config_is "$out" "$o" y || bad+=("$o!=y"); done
  for o in "${WANT_M[@]}"; do config_is "$out" "$o" m || bad+=("$o!=m"); done
  for o in "${WANT_N[@]}"; do
    [[ $o == TRIM_UNUSED_KSYMS && ${2:-} == trim ]] && continue
    config_is "$out" "$o" n || bad+=("$o!=n")
  done
  [[ ${2:-} == trim ]] && { config_is "$out" TRIM_UNUSED_KSYMS y || bad+=("TRIM_UNUSED_KSYMS!=y"); }
  ((${#bad[@]} == 0)) || echo "config mismatch in $out: ${bad[*]}" >&2
  ((${#bad[@]} == 0))
}

# kbuild_make OUTDIR LOG [make args...]: full build (bzImage + modules), V=1.
kbuild_make() {
  local out=$1 logf=$2
  shift 2
  local t0=$SECONDS
  make ARCH=x86_64 LLVM=-14 -C "$SRC" O="$out" -j"$JOBS" KBUILD_SYMTYPES=1 V=1 "$@" all >"$logf" 2>&1
  local rc=$?
  BUILD_SECS=$((SECONDS - t0))
  return $rc
}

declare -A TIMES=()
build() { # build NAME [configure args] -- [make args]
  local name=$1
  shift
  local cargs=() margs=()
  while (($#)) && [[ $1 != -- ]]; do
    cargs+=("$1")
    shift
  done
  (($#)) && shift
  margs=("$@")
  local out=$W/out-$name
  log "configuring $out"
  configure "$out" "${cargs[@]}" || {
    fail "$name: configure"
    return 1
  }
  check "$name: config has LTO_CLANG_THIN, MODVERSIONS and ${#WANT_M[@]} options =m" \
    verify_config "$out" "$([[ $name == trim ]] && echo trim)" || return 1
  log "building $name (log: $W/build-$name.log)"
  if kbuild_make "$out" "$W/build-$name.log" "${margs[@]}"; then
    TIMES[$name]=$BUILD_SECS
    ok "$name: build (${BUILD_SECS}s)"
  else
    fail "$name: build failed after ${BUILD_SECS}s, last lines of $W/build-$name.log:"
    tail -n 30 "$W/build-$name.log" | sed 's/^/    /'
    return 1
  fi
}

HOOK=(MAKEFILES="$REPO/Makefile.rs-hook" MODVER="$MODVER")
STOCK=$W/out-stock
HOOKED=$W/out-hook

# Restore a header the negative case changed if an earlier run was killed.
NEG_HDR=include/linux/scatterlist.h
[[ -f $W/negative.orig ]] && cp "$W/negative.orig" "$SRC/$NEG_HDR" && rm -f "$W/negative.orig"

step stock && build stock
step hook && build hook -- "${HOOK[@]}"

# ---------------------------------------------------------------- compare
# __versions of a module as `0x%08x\tname` lines: modver's own reader once
# it exists (issue 5), modprobe --dump-modversions until then.
dump_versions() {
  if "$MODVER" dump-modversions --help >/dev/null 2>&1; then
    "$MODVER" dump-modversions "$1"
  else
    /sbin/modprobe --dump-modversions "$1"
  fi
}

list_rel() { # list_rel DIR PATTERN: relative paths, sorted
  (cd "$1" && find . -name "$2" -type f ! -path './source/*' | sed 's|^\./||' | LC_ALL=C sort)
}

same_files() { # same_files PATTERN: same list, same bytes in both trees
  local a b f bad=0
  a=$(list_rel "$STOCK" "$1")
  b=$(list_rel "$HOOKED" "$1")
  if [[ $a != "$b" ]]; then
    echo "  $1: file lists differ:" >&2
    diff <(echo "$a") <(echo "$b") | head -20 >&2
    return 1
  fi
  [[ -n $a ]] || {
    echo "  $1: none found" >&2
    return 1
  }
  for f in $a; do
    cmp -s "$STOCK/$f" "$HOOKED/$f" || {
      echo "  $1: $f differs" >&2
      bad=1
    }
  done
  COUNT=$(wc -l <<<"$a")
  return $bad
}

same_versions() {
  local f bad=0 n=0
  for f in $(list_rel "$STOCK" '*.ko'); do
    cmp -s <(dump_versions "$STOCK/$f") <(dump_versions "$HOOKED/$f") || {
      echo "  __versions of $f differ" >&2
      bad=1
    }
    [[ -n $(dump_versions "$HOOKED/$f") ]] || {
      echo "  $f has no __versions" >&2
      bad=1
    }
    n=$((n + 1))
  done
  COUNT=$n
  ((n > 0)) && return $bad
}

invocations() { # invocations SUBCOMMAND: modver command lines in the V=1 log
  grep -ao -- "$MODVER $1 [^;|]*" "$W/build-hook.log" | wc -l
}

if step compare && [[ -f $STOCK/Module.symvers && -f $HOOKED/Module.symvers ]]; then
  check "Module.symvers identical ($(wc -l <"$HOOKED/Module.symvers") exports)" cmp "$STOCK/Module.symvers" "$HOOKED/Module.symvers"
  check "modules.order identical ($(wc -l <"$HOOKED/modules.order") modules)" cmp "$STOCK/modules.order" "$HOOKED/modules.order"
  COUNT=0
  same_files '*.mod' && ok "every .mod identical ($COUNT files)" || fail ".mod files differ"
  if ls "$STOCK"/lib/*.usyms >/dev/null 2>&1; then
    same_files '*.usyms' && ok "every .usyms identical ($COUNT files)" || fail ".usyms files differ"
  fi
  # 5.12-5.18: the CRCs of each object, archive and multi-object module.
  if [[ -n $(list_rel "$STOCK" '*.symversions') ]]; then
    same_files '*.symversions' && ok "every .symversions identical ($COUNT files)" || fail ".symversions files differ"
  fi
  same_versions && ok "every module's __versions identical ($COUNT modules)" || fail "__versions differ"
  same_files '*.ko' && ok "every .ko byte-identical ($COUNT modules)" || fail ".ko files differ"
  nmod=$(wc -l <"$HOOKED/modules.order")
  n_exports=$(invocations "exports -q")
  n_mod=$(invocations mod)
  n_check=$(invocations check)
  # Objects genksyms ran on: #SYMVER lines in .cmd (5.19+) or foo.o.symversions.
  n_exporting=$(cd "$HOOKED" && { find . -name '.*.o.cmd' -exec grep -l '^#SYMVER ' {} + ; find . -name '*.o.symversions'; } | wc -l)
  echo "e2e: V=1 log: modver exports -q: $n_exports, mod: $n_mod, check: $n_check; objects with CRCs: $n_exporting"
  check "modver exports ran for every compiled object ($n_exports)" test "$n_exports" -gt "$n_exporting" -a "$n_exporting" -gt 0
  check "modver mod ran for every module ($n_mod of $nmod)" test "$n_mod" -eq "$nmod"
  check "modver check ran for every module ($n_check of $nmod)" test "$n_check" -eq "$nmod"
  if [[ -n $(list_rel "$STOCK" '*.symversions') ]]; then
    n_merge=$(invocations "symversions merge")
    n_archives=$(cd "$HOOKED" && find . \( -name '*.a' -o -name '*.o' \) -newer .config | while read -r f; do
      head -c 8 "$f" | grep -q '^!<thin>' && echo "$f"; done | wc -l)
    check "modver symversions merge ran for every thin archive ($n_merge of $n_archives)" test "$n_merge" -eq "$n_archives"
    check "modver modname checked the module names modpost wrote" test "$(invocations "modname --kernel")" -eq 1
  fi
fi

# ---------------------------------------------------------------- boot
# Load order: a module after every module its modinfo depends= names, and
# after the modules its softdep "pre:" names (by module name or alias:
# libcrc32c's init needs the crc32c algorithm of crc32c_generic).
load_order() { # load_order OUTDIR: module paths (relative), dependencies first
  local out=$1 m dep a progress name
  local -A deps=() path=() loaded=() alias=()
  for m in $(sed 's/\.o$/.ko/' "$out/modules.order"); do
    name=$(basename "$m" .ko)
    name=${name//-/_}
    path[$name]=$m
    alias[$name]=$name
    for a in $(/sbin/modinfo -F alias "$out/$m"); do alias[${a//-/_}]=$name; done
  done
  for name in "${!path[@]}"; do
    m=${path[$name]}
    deps[$name]=$(/sbin/modinfo -F depends "$out/$m" | tr ',-' ' _')
    for a in $(/sbin/modinfo -F softdep "$out/$m" | sed -n 's/^.*pre: *\([^:]*\)\( post:.*\)\?$/\1/p'); do
      a=${a//-/_}
      [[ -n ${alias[$a]:-} ]] && deps[$name]+=" ${alias[$a]}"
    done
  done
  while ((${#loaded[@]} < ${#path[@]})); do
    progress=0
    for name in $(printf '%s\n' "${!path[@]}" | LC_ALL=C sort); do
      [[ -n ${loaded[$name]:-} ]] && continue
      local ready=1
      for dep in ${deps[$name]}; do [[ -n ${loaded[$dep]:-} ]] || ready=0; done
      ((ready)) || continue
      loaded[$name]=1
      echo "${path[$name]}"
      progress=1
    done
    ((progress)) || {
      echo "load_order: unresolvable depends= in $out" >&2
      return 1
    }
  done
}

# boot OUTDIR LOG: boots OUTDIR's bzImage with an initramfs that insmods
# every module of OUTDIR in dependency order.
boot() {
  local out=$1 logf=$2 root
  root=$(mktemp -d) || return 1
  mkdir -p "$root"/{bin,dev,proc,sys,lib/modules} || return 1
  cp /bin/busybox "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
  load_order "$out" >"$root/modules.list" || return 1
  while read -r m; do cp "$out/$m" "$root/lib/modules/"; done <"$root/modules.list"
  cat >"$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo "MODVER-E2E: booted $(/bin/busybox uname -r)"
while read -r m; do
  ko=/lib/modules/$(/bin/busybox basename "$m")
  if /bin/busybox insmod "$ko"; then echo "MODVER-E2E: loaded $m"; else echo "MODVER-E2E: FAILED $m"; fi
done </modules.list
echo "MODVER-E2E: done"
/bin/busybox reboot -f
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out/modver-e2e-initramfs.cpio" || return 1
  rm -rf "$root"
  timeout 300 qemu-system-x86_64 -accel tcg -m 256M -no-reboot -nographic \
    -kernel "$out/arch/x86/boot/bzImage" -initrd "$out/modver-e2e-initramfs.cpio" \
    -append "console=ttyS0 panic=-1 loglevel=7" </dev/null >"$logf" 2>&1
  tr -d '\r' <"$logf" >"$logf.tmp" && mv "$logf.tmp" "$logf"
}

boot_ok() { # boot_ok OUTDIR LOG: every module loaded, no version complaint
  local out=$1 logf=$2 n
  n=$(wc -l <"$out/modules.order")
  grep -aq '^MODVER-E2E: done' "$logf" || {
    echo "  the initramfs did not finish; tail of $logf:" >&2
    tail -20 "$logf" >&2
    return 1
  }
  ! grep -aE 'disagrees about version|no symbol version|MODVER-E2E: FAILED' "$logf" >&2 &&
    [[ $(grep -ac '^MODVER-E2E: loaded ' "$logf") -eq $n ]]
}

if step boot && [[ -f $HOOKED/arch/x86/boot/bzImage ]]; then
  log "booting the hooked kernel (log: $W/boot-hook.log)"
  boot "$HOOKED" "$W/boot-hook.log"
  check "boot: all $(wc -l <"$HOOKED/modules.order") modules of the hooked build load in dependency order" boot_ok "$HOOKED" "$W/boot-hook.log"
fi

# ---------------------------------------------------------------- negative
# Change an exported struct of vmlinux that modules use, rebuild only
# vmlinux: modver check must stop the hooked build and name the imports
# that went stale; the stock build does not notice, and insmod of exactly
# those modules then fails on exactly those symbols.
negative() {
  local neg=$W/out-negative predicted got
  rm -rf "$neg" && cp -a "$HOOKED" "$neg" || return 1
  cp "$SRC/$NEG_HDR" "$W/negative.orig" || return 1
  trap 'cp "$W/negative.orig" "$SRC/$NEG_HDR" && rm -f "$W/negative.orig"' EXIT
  # A member at the end of struct scatterlist (included by few vmlinux
  # objects, so the rebuild is short): every export whose type reaches it
  # (sg_next, sg_init_table, ...) changes its CRC; modules built before
  # still carry the old one.
  sed -i '/^struct scatterlist {$/,/^};/ s/^};/\tint modver_e2e_negative;\n};/' "$SRC/$NEG_HDR"
  grep -q modver_e2e_negative "$SRC/$NEG_HDR" || {
    echo "  could not patch $NEG_HDR" >&2
    return 1
  }
  log "negative: hooked vmlinux-only rebuild (log: $W/build-negative.log)"
  make ARCH=x86_64 LLVM=-14 -C "$SRC" O="$neg" -j"$JOBS" KBUILD_SYMTYPES=1 V=1 "${HOOK[@]}" bzImage >"$W/build-negative.log" 2>&1
  local rc=$?
  # The exports whose CRC changed, and the modules importing them.
  predicted=$(join -t $'\t' -j 1 \
    <(awk -F'\t' '{print $2"\t"$1}' "$HOOKED/Module.symvers" | LC_ALL=C sort) \
    <(awk -F'\t' '{print $2"\t"$1}' "$neg/vmlinux.symvers" | LC_ALL=C sort) |
    awk -F'\t' '$2 != $3 {print $1}')
  echo "  exports whose CRC changed: $(echo $predicted)" >&2
  [[ -n $predicted ]] || return 1
  local m s stale=""
  for m in $(sed 's/\.o$/.ko/' "$neg/modules.order"); do
    for s in $predicted; do
      dump_versions "$neg/$m" | grep -qP "\t$s\$" && stale+="$m:$s "
    done
  done
  echo "  stale imports: $stale" >&2
  [[ -n $stale ]] || return 1
  NEG_STALE=$stale
  ((rc != 0)) || {
    echo "  the hooked build did not fail" >&2
    return 1
  }
  for ms in $stale; do
    grep -aF "${ms#*:}" "$W/build-negative.log" | grep -aqF "${ms%%:*}" || {
      echo "  modver check did not name ${ms}" >&2
      return 1
    }
  done
  grep -aE 'mismatch|modver' "$W/build-negative.log" | grep -av '^  ' | head -10 | sed 's/^/    /' >&2
  return 0
}

negative_boot() { # the stock build links the same vmlinux; insmod must fail as predicted
  local neg=$W/out-negative ms m s
  make ARCH=x86_64 LLVM=-14 -C "$SRC" O="$neg" -j"$JOBS" KBUILD_SYMTYPES=1 bzImage >"$W/build-negative-stock.log" 2>&1 || {
    echo "  stock vmlinux-only rebuild failed" >&2
    return 1
  }
  boot "$neg" "$W/boot-negative.log" || return 1
  # Expected to fail: the stale importers and every module that depends on
  # one of them (directly or not); all others must load.
  local -A fails=() deps=()
  for m in $(sed 's/\.o$/.ko/' "$neg/modules.order"); do
    deps[$m]=$(/sbin/modinfo -F depends "$neg/$m" | tr ',' ' ')
  done
  for ms in $NEG_STALE; do fails[${ms%%:*}]=1; done
  local grew=1 d n
  while ((grew)); do
    grew=0
    for m in "${!deps[@]}"; do
      [[ -n ${fails[$m]:-} ]] && continue
      for d in ${deps[$m]}; do
        for n in "${!fails[@]}"; do
          [[ $(basename "$n" .ko | tr - _) == "${d//-/_}" ]] && { fails[$m]=1; grew=1; }
        done
      done
    done
  done
  for m in "${!deps[@]}"; do
    if [[ -n ${fails[$m]:-} ]]; then
      grep -aq "^MODVER-E2E: FAILED $m\$" "$W/boot-negative.log" || {
        echo "  $m loaded although it (or a module it needs) imports a changed symbol" >&2
        return 1
      }
    else
      grep -aq "^MODVER-E2E: loaded $m\$" "$W/boot-negative.log" || {
        echo "  $m failed although nothing it imports changed" >&2
        return 1
      }
    fi
  done
  for ms in $NEG_STALE; do
    m=$(basename "${ms%%:*}" .ko)
    s=${ms#*:}
    grep -aqE "(${m//-/_}|$m): disagrees about version of symbol $s\$" "$W/boot-negative.log" || {
      echo "  no '$m: disagrees about version of symbol $s'" >&2
      return 1
    }
  done
  grep -aE 'disagrees about version|MODVER-E2E: FAILED' "$W/boot-negative.log" | sed 's/^/    /' >&2
  echo "  ${#fails[@]} modules failed to load as predicted, $((${#deps[@]} - ${#fails[@]})) loaded" >&2
}

if step negative && [[ -f $HOOKED/Module.symvers ]]; then
  NEG_STALE=""
  check "negative: modver check stops the hooked vmlinux-only build and names the stale imports" negative
  # Still with the changed header: the stock build does not notice.
  [[ -n $NEG_STALE ]] && check "negative: stock build boots; insmod fails exactly on the predicted symbols" negative_boot
  cp "$W/negative.orig" "$SRC/$NEG_HDR" 2>/dev/null && rm -f "$W/negative.orig"
  trap - EXIT
fi

# ---------------------------------------------------------------- trim
# CONFIG_TRIM_UNUSED_KSYMS through the hook: .usyms come from modver; the
# stock command, run here on the same objects, is the oracle.
usyms_ok() {
  local out=$W/out-trim f bad=0 n=0
  for f in $(cd "$out" && find . -name '*.usyms' | sed 's|^\./||'); do
    cmp -s "$out/$f" <(llvm-nm-14 "$out/${f%.usyms}.o" | sed -n 's/^  *U //p') || {
      echo "  $f differs from llvm-nm | sed" >&2
      bad=1
    }
    n=$((n + 1))
  done
  # 5.12-5.18: no .usyms; line 2 of foo.mod lists the undefined symbols of
  # the LTO-linked foo.lto.o/foo.prelink.o (or foo.o), as kbuild's awk does.
  local m o mods=""
  ((n == 0)) && mods=$(cd "$out" && find . -name '*.mod' | sed 's|^\./||')
  for f in $mods; do
    for o in "${f%.mod}.lto.o" "${f%.mod}.prelink.o" "${f%.mod}.o"; do [[ -f $out/$o ]] && break; done
    m=$(llvm-nm-14 "$out/$o" | awk '$1 == "U" { printf("%s%s", x++ ? " " : "", $2) }')
    # (Empty for a module that imports nothing, such as crc7.)
    [[ $(sed -n 2p "$out/$f") == "$m" && $(wc -l <"$out/$f") -eq 2 ]] || {
      echo "  line 2 of $f differs from llvm-nm $o | awk" >&2
      bad=1
    }
    n=$((n + 1))
  done
  echo "  $n .usyms / .mod symbol lines compared" >&2
  ((n > 0)) && return $bad
}
if step trim; then
  if build trim -e TRIM_UNUSED_KSYMS -- "${HOOK[@]}"; then
    check "trim: every .usyms (.mod line 2 before 5.19) equals kbuild's llvm-nm pipeline on the same object" usyms_ok
    boot "$W/out-trim" "$W/boot-trim.log"
    check "trim: all modules load in the trimmed kernel" boot_ok "$W/out-trim" "$W/boot-trim.log"
  fi
fi

for n in stock hook trim; do [[ -n ${TIMES[$n]:-} ]] && echo "e2e: build time $n: ${TIMES[$n]}s"; done
finish
