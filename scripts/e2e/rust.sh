# Sourced by scripts/e2e-kernel.sh: --rust, a Clang ThinLTO + MODVERSIONS
# + GENDWARFKSYMS + RUST kernel (6.14+; written against 7.1).
#
# GENDWARFKSYMS' `depends on !LTO` is lifted by the one-hunk patch in
# patches/, applied to the tree for the run and reverted at the end (the
# tree is otherwise unmodified). Steps (--steps; the default for --rust is
# "hook extmod boot negative why nolto symver crcs check stocklto"; why is
# in scripts/e2e/negative.sh):
#   hook      the LTO kernel through Makefile.rs-hook (out-hook)
#   nolto     the same configuration without LTO, stock: the kernel's own
#             gendwarfksyms on ELF (out-nolto)
#   crcs      every export's CRC in both Module.symvers, side by side
#             (out-hook/modver-e2e-crcs.txt), and their differences counted
#   boot      QEMU boot of the hooked kernel loading every C and Rust module
#   stocklto  the LTO configuration with the patch but without the hook:
#             it must stop (gendwarfksyms on a bitcode object), not build
#             unversioned modules

RUST_PATCH=$REPO/patches/0001-module-allow-GENDWARFKSYMS-with-LTO.patch
RUST_PATCHED=0

rust_options() {
  WANT_Y+=(RUST GENDWARFKSYMS DEBUG_INFO DEBUG_INFO_DWARF5 EXTENDED_MODVERSIONS
    SAMPLES SAMPLES_RUST)
  WANT_M+=(SAMPLE_RUST_MINIMAL SAMPLE_RUST_PRINT)
  WANT_N+=(GENKSYMS DEBUG_INFO_NONE DEBUG_INFO_REDUCED DEBUG_INFO_SPLIT
    DEBUG_INFO_BTF RUST_INLINE_HELPERS)
}

# rust_setup: the toolchain (scripts/setup.sh rust-kernel), make variables for
# Debian's rustc-web and bindgen on libclang-$LLVM_N, the patch, and
# `make rustavailable`.
rust_setup() {
  bash "$REPO/scripts/setup.sh" rust-kernel || die "scripts/setup.sh rust-kernel"
  local bindgen
  bindgen=$(command -v bindgen) || die "no bindgen on PATH (scripts/setup.sh rust-kernel installs bindgen-cli)"
  [[ -d /usr/lib/llvm-$LLVM_N/lib ]] || die "no /usr/lib/llvm-$LLVM_N/lib for bindgen's libclang"
  export LIBCLANG_PATH=/usr/lib/llvm-$LLVM_N/lib
  KMAKE+=(RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc "BINDGEN=$bindgen")
  rust_options
  if patch -d "$SRC" -p1 -R --dry-run -s -f <"$RUST_PATCH" >/dev/null 2>&1; then
    log "rust: $SRC already has $(basename "$RUST_PATCH")"
  else
    patch -d "$SRC" -p1 -s -f --no-backup-if-mismatch <"$RUST_PATCH" ||
      die "rust: $(basename "$RUST_PATCH") does not apply to $SRC"
    RUST_PATCHED=1
    log "rust: applied $(basename "$RUST_PATCH") to $SRC (reverted at the end)"
  fi
  check "rust: make rustavailable (rustc $(/usr/bin/rustc --version | awk '{print $2}'), bindgen $("$bindgen" --version | awk '{print $2}'), libclang $LLVM_N)" \
    "${KMAKE[@]}" -s rustavailable
}

rust_restore() {
  ((RUST_PATCHED)) || return 0
  patch -d "$SRC" -p1 -R -s -f --no-backup-if-mismatch <"$RUST_PATCH" && RUST_PATCHED=0
}

# rust_symver_check OUTDIR: every object with exports (modver exports -q)
# and every Rust library rust/Makefile versions has `#SYMVER` lines in its
# .cmd file, written by modver dwarfksyms (the V=1 log of the hooked build
# has a modver dwarfksyms line for it, and no stock gendwarfksyms ran).
rust_symver_check() {
  local out=$1 logf=$W/build-hook.log o n=0 bad=0 rs=0 mv
  # The binary the hook ran, by the name it has (MODVER_E2E_MODVER may
  # point at a copy called otherwise), as a regex.
  mv=$(printf '%s' "${MODVER##*/}" | sed 's/[.+*]/[&]/g')
  SYMVER_OBJECTS=0 SYMVER_RUST=0
  # (A command that pipes a symbol list into it; not its own host build.)
  if grep -aqE '\| *(\./)?scripts/gendwarfksyms/gendwarfksyms ' "$logf"; then
    echo "  the hooked build ran the stock gendwarfksyms" >&2
    return 1
  fi
  while read -r o; do
    local cmdf
    cmdf=$(dirname "$o")/.$(basename "$o").cmd
    # Objects linked from others (multi-object modules, vmlinux.o) carry
    # their members' versions, not their own.
    head -n1 "$out/$cmdf" 2>/dev/null | grep -qE ':= *(ld\.lld|ld|llvm-ar)[^ ]* ' && continue
    case $o in
    rust/*) grep -aq "$mv dwarfksyms.* $o >> " "$logf" || continue; rs=$((rs + 1)) ;;
    *) "$MODVER" exports -q --kernel "${KVER%.*}" "$out/$o" 2>/dev/null || continue ;;
    esac
    n=$((n + 1))
    if ! grep -q '^#SYMVER ' "$out/$cmdf" 2>/dev/null; then
      # kbuild's skip_gendwarfksyms objects (rust/exports.o) have none.
      grep -aqE "skip_gendwarfksyms|exports\.o" <<<"$o" && continue
      echo "  $o: exports but no #SYMVER lines in $cmdf" >&2
      bad=1
    elif ! grep -aq "$mv dwarfksyms.* $o" "$logf" &&
      ! grep -aq "$mv dwarfksyms.* ${o%.o}.gendwarfksyms.o" "$logf"; then
      echo "  $o: no modver dwarfksyms line in the V=1 log" >&2
      bad=1
    fi
  done < <(cd "$out" && find . -name '*.o' ! -name '*.mod.o' ! -name '*.gendwarfksyms.o' \
    ! -path './scripts/*' ! -path './tools/*' -type f | sed 's|^\./||' | LC_ALL=C sort)
  SYMVER_OBJECTS=$n SYMVER_RUST=$rs
  ((n > 0 && rs > 0)) && return $bad
}

# rust_crcs: the CRC of every export in the LTO build (hooked) and the
# non-LTO build (stock), side by side; prints the counts.
rust_crcs() {
  local f=$HOOKED/modver-e2e-crcs.txt
  LC_ALL=C join -j1 -a1 -a2 -e MISSING -o 0,1.2,2.2 \
    <(awk '{print $2, $1}' "$HOOKED/Module.symvers" | LC_ALL=C sort) \
    <(awk '{print $2, $1}' "$W/out-nolto/Module.symvers" | LC_ALL=C sort) >"$f"
  CRC_ALL=$(wc -l <"$f")
  CRC_SAME=$(awk '$2 == $3' "$f" | wc -l)
  CRC_DIFF=$(awk '$2 != $3' "$f" | wc -l)
  log "CRCs (LTO hooked vs non-LTO stock): $CRC_ALL exports, $CRC_SAME equal, $CRC_DIFF differ (list: $f)"
  awk '$2 != $3 {print "  " $0}' "$f" | head -40 >&2
  ((CRC_ALL > 0))
}

# rust_nolto: the same configuration without LTO, built stock.
rust_nolto() {
  local y=("${WANT_Y[@]}") n=("${WANT_N[@]}") o
  WANT_Y=()
  for o in "${y[@]}"; do [[ $o == LTO_CLANG_THIN || $o == LTO_CLANG ]] || WANT_Y+=("$o"); done
  WANT_N=()
  for o in "${n[@]}"; do [[ $o == LTO_NONE ]] || WANT_N+=("$o"); done
  WANT_Y+=(LTO_NONE)
  WANT_N+=(LTO_CLANG_THIN LTO_CLANG)
  build nolto -d LTO_CLANG_THIN -e LTO_NONE
  WANT_Y=("${y[@]}") WANT_N=("${n[@]}")
}

# rust_stocklto: the patched LTO configuration, stock: must fail at a
# bitcode object's gendwarfksyms and leave no module behind.
rust_stocklto() {
  local out=$W/out-stocklto
  configure "$out" || {
    fail "stocklto: configure"
    return 1
  }
  check "stocklto: config has LTO_CLANG_THIN and GENDWARFKSYMS (the patch)" verify_config "$out"
  log "building stocklto, expected to stop (log: $W/build-stocklto.log)"
  if kbuild_make "$out" "$W/build-stocklto.log" all; then
    fail "stocklto: the stock LTO build with GENDWARFKSYMS succeeded"
    return 1
  fi
  local at
  at=$(grep -aE '^make\[[0-9]+\]: \*\*\* \[' "$W/build-stocklto.log" | head -1)
  check "stocklto: stock gendwarfksyms stops the LTO build after ${BUILD_SECS}s (${at:-?})" \
    grep -aqE 'gendwarfksyms|Segmentation fault' "$W/build-stocklto.log"
  check "stocklto: no module was built" test -z "$(find "$out" -name '*.ko' -print -quit)"
}

# rust_extmod: testdata/rust-extmod (a Rust module importing sg_init_table
# and kernel-crate exports) built with make M= through the hook against
# the hooked kernel, and added to that kernel's modules as
# `make modules_install M=` would place it (extra/): the boot loads it, the
# negative case (struct scatterlist) makes its import stale.
rust_extmod() {
  local d=$W/rust-extmod
  rm -rf "$d" && cp -a "$REPO/testdata/rust-extmod" "$d" || return 1
  "${KMAKE[@]}" O="$HOOKED" M="$d" -j"$JOBS" V=1 "${HOOK[@]}" modules >"$W/build-rust-extmod.log" 2>&1 || {
    tail -n 30 "$W/build-rust-extmod.log" | sed 's/^/    /' >&2
    return 1
  }
  mkdir -p "$HOOKED/extra" && cp "$d/rust_modver_sg.ko" "$HOOKED/extra/" || return 1
  grep -qx 'extra/rust_modver_sg.o' "$HOOKED/modules.order" || echo extra/rust_modver_sg.o >>"$HOOKED/modules.order"
  "$MODVER" dump-modversions "$d/rust_modver_sg.ko" | grep -qP '\tsg_init_table$' || {
    echo "  rust_modver_sg.ko does not import sg_init_table" >&2
    return 1
  }
}
