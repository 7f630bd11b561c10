# Sourced by scripts/e2e-kernel.sh: CONFIG_TRIM_UNUSED_KSYMS through the
# hook. The .usyms (.mod line 2 before 5.19) come from modver; kbuild's
# own llvm-nm pipeline, run here on the same objects, is the oracle.

usyms_ok() {
  local out=$W/out-trim f bad=0 n=0 m o mods=""
  for f in $(list_rel "$out" '*.usyms'); do
    cmp -s "$out/$f" <("$NM" "$out/${f%.usyms}.o" | sed -n 's/^  *U //p') || {
      echo "  $f differs from $NM | sed" >&2
      bad=1
    }
    n=$((n + 1))
  done
  # 5.12-5.18: no .usyms; line 2 of foo.mod lists the undefined symbols of
  # the LTO-linked foo.lto.o/foo.prelink.o (or foo.o), as kbuild's awk does.
  ((n == 0)) && mods=$(list_rel "$out" '*.mod')
  for f in $mods; do
    for o in "${f%.mod}.lto.o" "${f%.mod}.prelink.o" "${f%.mod}.o"; do [[ -f $out/$o ]] && break; done
    m=$("$NM" "$out/$o" | awk '$1 == "U" { printf("%s%s", x++ ? " " : "", $2) }')
    # (Empty for a module that imports nothing, such as crc7.)
    [[ $(sed -n 2p "$out/$f") == "$m" && $(wc -l <"$out/$f") -eq 2 ]] || {
      echo "  line 2 of $f differs from $NM $o | awk" >&2
      bad=1
    }
    n=$((n + 1))
  done
  echo "  $n .usyms / .mod symbol lines compared" >&2
  ((n > 0)) && return $bad
}

trim_step() {
  build trim -e TRIM_UNUSED_KSYMS -- "${HOOK[@]}" || return
  check "trim: every .usyms (.mod line 2 before 5.19) equals kbuild's llvm-nm pipeline on the same object" usyms_ok
  boot "$W/out-trim" "$W/boot-trim.log"
  check "trim: all modules load in the trimmed kernel" boot_ok "$W/out-trim" "$W/boot-trim.log"
}
