# Sourced by scripts/e2e-kernel.sh: the kernel builds.

declare -A TIMES=()

# kbuild_make OUTDIR LOG [make args...]: kbuild with symtypes, V=1 (the
# hooked build's log is where the modver command lines are counted).
# Sets BUILD_SECS.
kbuild_make() {
  local out=$1 logf=$2 t0=$SECONDS rc
  shift 2
  "${KMAKE[@]}" O="$out" -j"$JOBS" KBUILD_SYMTYPES=1 V=1 "$@" >"$logf" 2>&1
  rc=$?
  BUILD_SECS=$((SECONDS - t0))
  return $rc
}

build() { # build NAME [configure args] -- [make args]: a fresh O=$W/out-NAME
  local name=$1 cargs=() out
  shift
  while (($#)) && [[ $1 != -- ]]; do
    cargs+=("$1")
    shift
  done
  (($#)) && shift
  out=$W/out-$name
  log "configuring $out"
  configure "$out" "${cargs[@]}" || {
    fail "$name: configure"
    return 1
  }
  settle_config "$out"
  local lto o
  for o in "${WANT_Y[@]}"; do [[ $o == LTO_CLANG_THIN || $o == LTO_NONE ]] && lto=$o; done
  check "$name: config has ${lto:-LTO_CLANG_THIN}, MODVERSIONS and ${#WANT_M[@]} options =m" \
    verify_config "$out" "$([[ $name == trim ]] && echo trim)" || return 1
  log "building $name (log: $W/build-$name.log)"
  if kbuild_make "$out" "$W/build-$name.log" "$@" all; then
    TIMES[$name]=$BUILD_SECS
    ok "$name: build (${BUILD_SECS}s, $(wc -l <"$out/modules.order") modules)"
  else
    fail "$name: build failed after ${BUILD_SECS}s, last lines of $W/build-$name.log:"
    tail -n 30 "$W/build-$name.log" | sed 's/^/    /'
    link_hint "$W/build-$name.log"
    return 1
  fi
}

# link_hint LOG: when vmlinux did not link for undefined symbols, the
# tinyconfig of this tree needs an option the test does not ask for (not a
# Kconfig dependency, so configure cannot see it): say which symbols, and
# how to add the option. Seen on 6.18.y: lib/kobject_uevent.c's
# !CONFIG_NET broadcast_uevent() calls kfree_skb(), defined in net/.
link_hint() {
  local syms
  syms=$(sed -n 's/^ld\.lld[^:]*: error: undefined symbol: //p' "$1" | LC_ALL=C sort -u | head -n 5 | tr '\n' ' ')
  [[ -n $syms ]] || return 0
  echo "e2e: vmlinux does not link, undefined: ${syms}- this tree's tinyconfig needs the option" \
    "that builds them; add it with --config NAME=y (6.18.y: --config NET=y)" >&2
}
