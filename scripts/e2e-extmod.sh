#!/usr/bin/env bash
# External modules (make -C <kernel> M=<dir>) stock and through
# Makefile.rs-hook, against a kernel already built by scripts/e2e-kernel.sh.
#
# Usage: bash scripts/e2e-extmod.sh --source SRC --out KOUT --llvm N
#                                   [--work DIR] [--steps "build compare boot negative"]
#   SRC   the kernel tree, KOUT its built O= directory (CONFIG_MODVERSIONS,
#         CONFIG_XZ_DEC=m), N the LLVM it was built with.
#
# The modules are testdata/extmod/prov (modver_extprov: two objects,
# imports from vmlinux and from the in-tree xz_dec, exports, one in a
# namespace, one EXPORT_SYMBOL_FOR_MODULES on 6.16+, two with names longer
# than 55 bytes when CONFIG_EXTENDED_MODVERSIONS=y) and testdata/extmod/cons
# (modver_extcons: two objects, imports those exports through the
# KBUILD_EXTRA_SYMBOLS its Kbuild sets, as DKMS drivers do). Steps:
#   build    both modules stock, then (after make clean) through the hook, in
#            the same directory (the paths modpost records are the same);
#   compare  Module.symvers, .mod, .ko and __versions/__version_ext_* of both
#            byte-identical; `modver check` of both .ko against the kernel's,
#            prov's Module.symvers;
#   boot     the kernel under QEMU insmods xz_dec (and what it depends on),
#            modver_extprov, modver_extcons;
#   negative one CRC of modver_extcons's import table (the extended entry of
#            a long name when the module has extended tables, else the
#            __versions entry of modver_ext_add) is changed: `modver check`
#            must fail, and insmod must refuse it under QEMU (the boot step
#            tries it before the good one).
# Prints ok/FAIL lines and `extmod: N passed, M failed`; exit 0 only if none failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC="" KOUT="" LLVM_N="" WORK="" STEPS="build compare boot negative"
while (($#)); do
  case $1 in
  --source) SRC=${2:?}; shift ;;
  --out) KOUT=${2:?}; shift ;;
  --llvm) LLVM_N=${2:?}; shift ;;
  --work) WORK=${2:?}; shift ;;
  --steps) STEPS=${2?}; shift ;;
  *) sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "$0" >&2; exit 2 ;;
  esac
  shift
done
[[ -f $SRC/Makefile && -f $KOUT/Module.symvers && -f $KOUT/.config && $LLVM_N =~ ^[0-9]+$ ]] || {
  echo "e2e-extmod: need --source SRC, --out KOUT (a built kernel) and --llvm N" >&2
  exit 2
}
SRC=$(cd "$SRC" && pwd) KOUT=$(cd "$KOUT" && pwd)
WORK=${WORK:-$KOUT/modver-extmod}
. "$REPO/scripts/cargo-bin.sh"
MODVER=${MODVER_E2E_MODVER:-$(modver_bin debug)}
[[ -x $MODVER ]] || (cd "$REPO" && cargo build -q) || exit 2

passed=0 failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
step() { [[ " $STEPS " == *" $1 "* ]]; }
cfg() { grep -qx "CONFIG_$1=${2:-y}" "$KOUT/.config"; }

KREL=$(cat "$KOUT/include/config/kernel.release")
EXT=$(cfg EXTENDED_MODVERSIONS && echo y || echo n)
BASIC=$(cfg BASIC_MODVERSIONS && echo y || echo n)
echo "extmod: kernel $KREL (EXTENDED_MODVERSIONS=$EXT BASIC_MODVERSIONS=$BASIC), LLVM=-$LLVM_N, work dir $WORK" >&2
cfg MODVERSIONS && cfg XZ_DEC m || { fail "$KOUT: needs CONFIG_MODVERSIONS=y and CONFIG_XZ_DEC=m"; echo "extmod: $passed passed, $failed failed"; exit 1; }

D=$WORK/src
KM=(make ARCH=x86_64 "LLVM=-$LLVM_N" -C "$SRC" O="$KOUT")
HOOK=(MAKEFILES="$REPO/Makefile.rs-hook" MODVER="$MODVER")
ARTS=(prov/Module.symvers prov/modver_extprov.mod prov/modver_extprov.ko
  cons/Module.symvers cons/modver_extcons.mod cons/modver_extcons.ko)

# extmod_build NAME [make args]: both modules, from clean, artifacts kept in $WORK/NAME.
extmod_build() {
  local name=$1 t0=$SECONDS f
  shift
  { "${KM[@]}" M="$D/prov" clean && "${KM[@]}" M="$D/cons" clean; } >/dev/null 2>&1
  "${KM[@]}" M="$D/prov" V=1 "$@" modules >"$WORK/build-$name.log" 2>&1 &&
    "${KM[@]}" M="$D/cons" V=1 "$@" modules \
      >>"$WORK/build-$name.log" 2>&1 || {
    tail -20 "$WORK/build-$name.log" >&2
    return 1
  }
  rm -rf "${WORK:?}/$name" && mkdir -p "$WORK/$name/prov" "$WORK/$name/cons" || return 1
  for f in "${ARTS[@]}"; do cp "$D/$f" "$WORK/$name/$f" || return 1; done
  echo "extmod: $name build: $((SECONDS - t0))s" >&2
}

same_artifacts() {
  local f bad=0
  for f in "${ARTS[@]}"; do
    cmp -s "$WORK/stock/$f" "$WORK/hook/$f" || { echo "  $f differs" >&2; bad=1; }
  done
  for f in prov/modver_extprov.ko cons/modver_extcons.ko; do
    diff <("$MODVER" dump-modversions "$WORK/stock/$f" 2>&1) <("$MODVER" dump-modversions "$WORK/hook/$f" 2>&1) >&2 || bad=1
  done
  return $bad
}

hook_ran() { grep -q "$MODVER check " "$WORK/build-hook.log" && grep -q "$MODVER exports -q" "$WORK/build-hook.log"; }

modver_check() { # modver_check KO...: against the kernel's and prov's Module.symvers
  "$MODVER" check --symvers "$KOUT/Module.symvers" --symvers "$WORK/hook/prov/Module.symvers" "$@"
}

long_imports() { # the imports of cons longer than 55 bytes, per dump-modversions
  "$MODVER" dump-modversions "$WORK/hook/cons/modver_extcons.ko" | awk 'length($NF) > 55 { print $NF }'
}

# plant BAD: a copy of cons's .ko with one import CRC changed.
plant() {
  local bad=$1 ko=$WORK/hook/cons/modver_extcons.ko sec name idx off
  cp "$ko" "$bad" || return 1
  if llvm-readelf-"$LLVM_N" -S "$ko" | grep -q '__version_ext_crcs'; then
    sec=__version_ext_crcs
    name=modver_ext_a_function_whose_name_is_much_longer_than_fifty_five_bytes
    llvm-objcopy-"$LLVM_N" --dump-section __version_ext_names="$WORK/names.bin" "$ko" "$WORK/tmp.ko" || return 1
    idx=$(tr '\0' '\n' <"$WORK/names.bin" | grep -nx "$name" | cut -d: -f1)
    [[ -n $idx ]] || name=modver_ext_add
    [[ -n $idx ]] || idx=$(tr '\0' '\n' <"$WORK/names.bin" | grep -nx "$name" | cut -d: -f1)
    idx=$(((idx - 1) * 4))
  else
    sec=__versions name=modver_ext_add
    llvm-objcopy-"$LLVM_N" --dump-section __versions="$WORK/vers.bin" "$ko" "$WORK/tmp.ko" || return 1
    idx=$(od -An -v -tx1 -w64 "$WORK/vers.bin" | awk -v n="$name" '{ s = ""; for (i = 9; i <= NF && $i != "00"; i++) s = s sprintf("%c", strtonum("0x" $i)); if (s == n) { print (NR - 1) * 64; exit } }')
  fi
  [[ -n $idx ]] || { echo "  no import $name in $sec of $ko" >&2; return 1; }
  off=$(llvm-readelf-"$LLVM_N" -S -W "$ko" | awk -v s="$sec" '{ for (i = 1; i <= NF; i++) if ($i == s) { print strtonum("0x" $(i + 3)); exit } }')
  off=$((off + idx))
  local byte
  byte=$(od -An -tu1 -j "$off" -N1 "$ko" | tr -d ' ')
  printf "\\x$(printf %02x $((byte ^ 0x5a)))" | dd of="$bad" bs=1 seek="$off" conv=notrunc status=none
  PLANTED="$name in $sec"
}

# The in-tree modules xz_dec needs, in load order (kmod's depends= fields).
deps_of() {
  local m=$1 d
  for d in $(/sbin/modinfo -F depends "$(find "$KOUT" -name "$m.ko" | head -1)" | tr ',' ' '); do deps_of "$d"; done
  echo "$m"
}

boot_extmod() {
  local root logf=$WORK/boot.log m
  root=$(mktemp -d) || return 1
  mkdir -p "$root"/{bin,dev,proc,sys,lib/modules} && cp /bin/busybox "$root/bin/" && ln -s busybox "$root/bin/sh" || return 1
  : >"$root/modules.list"
  for m in $(deps_of xz_dec | awk '!x[$0]++'); do
    cp "$(find "$KOUT" -name "$m.ko" | head -1)" "$root/lib/modules/" && echo "$m.ko" >>"$root/modules.list"
  done
  cp "$WORK/hook/prov/modver_extprov.ko" "$WORK/hook/cons/modver_extcons.ko" "$root/lib/modules/" || return 1
  [[ -f $WORK/bad.ko ]] && cp "$WORK/bad.ko" "$root/lib/modules/modver_extcons_bad.ko" && echo "modver_extprov.ko modver_extcons_bad.ko" >"$root/bad.list"
  printf '%s\n' modver_extprov.ko modver_extcons.ko >>"$root/modules.list"
  cat >"$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
echo "EXTMOD: booted $(/bin/busybox uname -r)"
while read -r m; do
  if [ -f /bad.list ] && [ "$m" = modver_extcons.ko ]; then
    if /bin/busybox insmod /lib/modules/modver_extcons_bad.ko; then echo "EXTMOD: BAD LOADED"; else echo "EXTMOD: bad refused"; fi
  fi
  if /bin/busybox insmod "/lib/modules/$m"; then echo "EXTMOD: loaded $m"; else echo "EXTMOD: FAILED $m"; fi
done </modules.list
echo "EXTMOD: done"
/bin/busybox reboot -f
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$WORK/initramfs.cpio" || return 1
  N_LOAD=$(wc -l <"$root/modules.list")
  rm -rf "$root"
  # no_timer_check: on a loaded host TCG is too slow for the kernel's
  # IO-APIC timer probe, which then panics ("IO-APIC + timer doesn't work")
  # before the initramfs runs (seen once in a 7.1 boot here).
  timeout 300 qemu-system-x86_64 -accel tcg -m 256M -no-reboot -nographic \
    -kernel "$KOUT/arch/x86/boot/bzImage" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 loglevel=7 no_timer_check" </dev/null 2>&1 | tr -d '\r' >"$logf"
  grep -aq '^EXTMOD: done' "$logf"
}

neg_check() { # modver check fails on the planted module, naming the symbol
  ! modver_check "$WORK/bad.ko" >"$WORK/neg-check.log" 2>&1 && grep -q "${PLANTED%% in *}" "$WORK/neg-check.log"
}

all_loaded() { [[ $(grep -ac '^EXTMOD: loaded ' "$WORK/boot.log") -eq $N_LOAD ]] && ! grep -aq 'EXTMOD: FAILED' "$WORK/boot.log"; }
bad_refused() { grep -aq '^EXTMOD: bad refused' "$WORK/boot.log" && grep -aqE "modver_extcons(_bad)?: disagrees about version of symbol ${PLANTED%% in *}" "$WORK/boot.log"; }

mkdir -p "$WORK" && rm -rf "$D" && cp -r "$REPO/testdata/extmod" "$D" || exit 2
if step build; then
  check "stock make M= of modver_extprov and modver_extcons" extmod_build stock
  check "hooked make M= of modver_extprov and modver_extcons" extmod_build hook "${HOOK[@]}"
  check "the hooked build ran modver exports -q and modver check" hook_ran
fi
if step compare; then
  check "stock and hooked: Module.symvers, .mod, .ko, import tables byte-identical" same_artifacts
  check "modver check: both external modules clean against the kernel's and prov's Module.symvers" \
    modver_check "$WORK/hook/prov/modver_extprov.ko" "$WORK/hook/cons/modver_extcons.ko"
  if [[ $EXT == y ]]; then
    check "modver dump-modversions reads cons's imports longer than 55 bytes ($(long_imports | wc -l))" \
      test "$(long_imports | wc -l)" -ge 2
  fi
fi
rm -f "$WORK/bad.ko"
if step negative; then
  if plant "$WORK/bad.ko"; then
    check "negative: modver check finds the planted CRC ($PLANTED)" neg_check
  else
    fail "negative: plant a wrong CRC"
  fi
fi
if step boot; then
  check "QEMU: xz_dec, modver_extprov, modver_extcons load" boot_extmod
  check "QEMU: all $N_LOAD modules loaded" all_loaded
  [[ -f $WORK/bad.ko ]] && check "QEMU: insmod refuses the planted module ($PLANTED)" bad_refused
fi
echo "extmod: $passed passed, $failed failed"
((failed == 0))
