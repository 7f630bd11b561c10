# Sourced by scripts/e2e-kernel.sh: the negative case.
#
# Change an exported struct of vmlinux that modules use, rebuild only
# vmlinux: modver check must stop the hooked build and name the imports
# that went stale; the stock build does not notice, kmod's depmod reports
# exactly those imports, and insmod of exactly those modules (and of the
# modules needing them) then fails on exactly those symbols.

# A member at the end of struct scatterlist (included by few vmlinux
# objects, so the rebuild is short): every export whose type reaches it
# (sg_next, sg_init_table, ...) changes its CRC; modules built before
# still carry the old one.
NEG_HDR=include/linux/scatterlist.h

# The header is patched in the source tree ($SRC) and put back by renaming
# the saved original, which keeps its timestamp: the other O= trees stay
# up to date. The driver calls this first, to repair a killed run.
neg_restore() { [[ ! -f $W/negative.orig ]] || mv -f "$W/negative.orig" "$SRC/$NEG_HDR"; }

neg_patch() {
  cp -p "$SRC/$NEG_HDR" "$W/negative.orig" || return 1
  trap neg_restore EXIT
  sed -i '/^struct scatterlist {$/,/^};/ s/^};/\tint modver_e2e_negative;\n};/' "$SRC/$NEG_HDR"
  grep -q modver_e2e_negative "$SRC/$NEG_HDR" || {
    echo "  could not patch $NEG_HDR" >&2
    return 1
  }
}

# neg_stale: "module.ko:symbol" for every import whose CRC changed; sets
# NEG_STALE.
neg_stale() {
  local predicted m s
  predicted=$(join -t $'\t' -j 1 \
    <(awk -F'\t' '{print $2"\t"$1}' "$HOOKED/Module.symvers" | LC_ALL=C sort) \
    <(awk -F'\t' '{print $2"\t"$1}' "$NEG/vmlinux.symvers" | LC_ALL=C sort) |
    awk -F'\t' '$2 != $3 {print $1}')
  echo "  exports whose CRC changed: $(echo $predicted)" >&2
  NEG_STALE=""
  for m in $(modules_ko "$NEG"); do
    for s in $predicted; do
      dump_versions "$NEG/$m" | grep -qP "\t$s\$" && NEG_STALE+="$m:$s "
    done
  done
  echo "  stale imports: $NEG_STALE" >&2
  [[ -n $NEG_STALE ]]
}

negative() {
  local rc ms
  rm -rf "$NEG" && cp -a "$HOOKED" "$NEG" || return 1
  rm -rf "$NEG/modver-e2e-stage"
  neg_patch || return 1
  log "negative: hooked vmlinux-only rebuild (log: $W/build-negative.log)"
  kbuild_make "$NEG" "$W/build-negative.log" "${HOOK[@]}" bzImage
  rc=$?
  neg_stale || return 1
  ((rc != 0)) || {
    echo "  the hooked build did not fail" >&2
    return 1
  }
  for ms in $NEG_STALE; do
    grep -aF "${ms#*:}" "$W/build-negative.log" | grep -aqF "${ms%%:*}" || {
      echo "  modver check did not name ${ms}" >&2
      return 1
    }
  done
  grep -aE 'mismatch|modver' "$W/build-negative.log" | grep -av '^  ' | head -10 | sed 's/^/    /' >&2
}

# neg_depmod: kmod's depmod, given the new vmlinux.symvers, finds exactly
# the stale imports (with EXTENDED_MODVERSIONS, of the names short enough
# for the basic __versions table kmod 30 reads: see depmod_clean).
neg_depmod() {
  local got want
  stage_modules "$NEG" "$NEG/vmlinux.symvers" || return 1
  got=$(sed -n "s|^depmod: WARNING: $STAGE/lib/modules/$KREL/kernel/\(.*\) disagrees about version of symbol \(.*\)\$|\1:\2|p" \
    "$STAGE/depmod.log" | awk -F: '!ext || length($NF) < 56' \
    ext="$(grep -q '^CONFIG_EXTENDED_MODVERSIONS=y' "$NEG/.config" && echo 1)" | LC_ALL=C sort)
  want=$(tr ' ' '\n' <<<"$NEG_STALE" | sed '/^$/d' | LC_ALL=C sort)
  [[ $got == "$want" ]] || {
    echo "  depmod -e reports other mismatches than predicted:" >&2
    diff <(echo "$want") <(echo "$got") >&2
    return 1
  }
}

negative_boot() { # the stock build links the same vmlinux; insmod must fail as predicted
  local ms m s d fails=" "
  local rc
  if ((${RUST:-0})); then
    # LTO + GENDWARFKSYMS (--rust): stock kbuild cannot version bitcode
    # (its gendwarfksyms crashes), so the hook builds this vmlinux, with
    # its stale-module check blinded (modules.order hidden): what a build
    # that does not check modules would link.
    mv "$NEG/modules.order" "$NEG/modules.order.modver-e2e" || return 1
    kbuild_make "$NEG" "$W/build-negative-stock.log" "${HOOK[@]}" bzImage
    rc=$?
    mv "$NEG/modules.order.modver-e2e" "$NEG/modules.order" || return 1
  else
    kbuild_make "$NEG" "$W/build-negative-stock.log" bzImage
    rc=$?
  fi
  ((rc == 0)) || {
    echo "  stock vmlinux-only rebuild failed" >&2
    return 1
  }
  boot "$NEG" "$W/boot-negative.log" || return 1
  # Expected to fail: the stale importers and every module whose
  # modules.dep (kmod's transitive dependencies) names one of them.
  for ms in $NEG_STALE; do fails+="${ms%%:*} "; done
  while IFS=: read -r m d; do
    for s in $NEG_STALE; do
      [[ " $d " == *" kernel/${s%%:*} "* && $fails != *" ${m#kernel/} "* ]] && fails+="${m#kernel/} "
    done
  done <"$STAGE/lib/modules/$KREL/modules.dep"
  local nfail=0 nok=0
  for m in $(modules_ko "$NEG"); do
    if [[ $fails == *" $m "* ]]; then
      nfail=$((nfail + 1))
      grep -aq "^MODVER-E2E: FAILED $m\$" "$W/boot-negative.log" || {
        echo "  $m loaded although it (or a module it needs) imports a changed symbol" >&2
        return 1
      }
    else
      nok=$((nok + 1))
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
  echo "  $nfail modules failed to load as predicted, $nok loaded" >&2
}

negative_step() {
  NEG_STALE=""
  check "negative: modver check stops the hooked vmlinux-only build and names the stale imports" negative
  if [[ -n $NEG_STALE ]]; then
    # Still with the changed header: the stock build does not notice.
    check "negative: kmod's depmod -e reports exactly the predicted stale imports" neg_depmod
    check "negative: stock build boots; insmod fails exactly on the predicted symbols" negative_boot
  fi
  neg_restore
  trap - EXIT
}

# why_step: `modver why` on every stale module of the negative case (its
# __versions against the rebuilt vmlinux, explained from the kernel it was
# built for): each must name its stale symbol, struct scatterlist and the
# added member. The types come from BTF, else DWARF; a configuration with
# neither (the plain e2e's: no debug info) is skipped and says so.
why_step() {
  [[ -f $NEG/vmlinux && -f $NEG/vmlinux.symvers ]] || {
    log "why: no negative build in $NEG (run the negative step first)"
    return 0
  }
  if ! grep -qE '^CONFIG_DEBUG_INFO(_BTF)?=y' "$HOOKED/.config"; then
    log "why: skipped: this configuration has neither BTF nor DWARF to explain from"
    return 0
  fi
  neg_stale 2>/dev/null || {
    fail "why: no stale import in $NEG"
    return 1
  }
  local ms m s out
  for ms in $NEG_STALE; do
    m=${ms%%:*} s=${ms#*:}
    out=$("$MODVER" why "$NEG/$m" --vmlinux "$NEG/vmlinux" --built-for "$HOOKED/vmlinux" 2>&1)
    if grep -q "mismatch: $s:" <<<"$out" &&
      grep -q 's#scatterlist: member modver_e2e_negative added' <<<"$out"; then
      ok "why: $m: $s explained: s#scatterlist, member modver_e2e_negative added"
    else
      fail "why: $m: $s not explained; modver why said:"
      sed 's/^/    /' <<<"$out" | tail -n 15 >&2
    fi
  done
}
