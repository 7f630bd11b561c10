# Sourced by scripts/e2e-kernel.sh: stock vs hooked, byte for byte.

same_files() { # same_files PATTERN: same list, same bytes in both trees; sets COUNT
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

same_versions() { # every module's __versions, read by modver; sets COUNT
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

# invocations SUBCOMMAND: modver command lines in the V=1 log (of whichever
# modver binary the hooked build ran, which need not be this run's).
invocations() {
  grep -aoE -- "[^ ;|(]*modver $1 [^;|]*" "$W/build-hook.log" | wc -l
}

# compare_files PATTERN WHAT: one check if the stock tree has such files.
compare_files() {
  [[ -n $(list_rel "$STOCK" "$1") ]] || return 0
  COUNT=0
  if same_files "$1"; then ok "every $2 identical ($COUNT files)"; else fail "$2 files differ"; fi
}

compare() {
  local nmod n_exports n_mod n_check n_exporting n_merge n_archives
  check "Module.symvers identical ($(wc -l <"$HOOKED/Module.symvers") exports)" cmp "$STOCK/Module.symvers" "$HOOKED/Module.symvers"
  check "modules.order identical ($(wc -l <"$HOOKED/modules.order") modules)" cmp "$STOCK/modules.order" "$HOOKED/modules.order"
  COUNT=0
  if same_files '*.mod'; then ok "every .mod identical ($COUNT files)"; else fail ".mod files differ"; fi
  compare_files '*.usyms' .usyms
  # 5.12-5.18: the CRCs of each object, archive and multi-object module.
  compare_files '*.symversions' .symversions
  if same_versions; then ok "every module's __versions identical ($COUNT modules)"; else fail "__versions differ"; fi
  if same_files '*.ko'; then ok "every .ko byte-identical ($COUNT modules)"; else fail ".ko files differ"; fi
  # The merge rules of `modver lds` against the scripts/module.lds that
  # kbuild wrote for this LTO build (cmd_cpp_lds_S).
  local lds_out
  if lds_out=$(MODVER=$MODVER bash "$REPO/scripts/check-module-lds.sh" "$STOCK" 2>&1); then
    ok "${lds_out#ok   - }"
  else
    fail "modver lds differs from kbuild's scripts/module.lds:"
    sed 's/^/    /' <<<"$lds_out"
  fi
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
}
