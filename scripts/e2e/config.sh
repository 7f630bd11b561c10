# Sourced by scripts/e2e-kernel.sh: the kernel configuration.
#
# tinyconfig + Clang ThinLTO + MODVERSIONS, a console for the QEMU boot,
# and modules that import from vmlinux and from each other. Each option
# must end up with exactly the value asked for; where a tree's Kconfig
# differs, the adaptation is made from that tree's Kconfig files (never
# from its version number) and logged.

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
# Options added by the user (--config NAME=y|m|n), after the lists above.
EXTRA_CONFIG=()

# kconfig_symbols SRC: "NAME prompt" or "NAME noprompt" for every symbol
# the x86 configuration of the tree defines (any Kconfig file outside
# other architectures). A symbol with a prompt in one of its definitions
# can be chosen by the user; one without can only be selected by others.
kconfig_symbols() {
  find "$1" \( -path "$1/arch/*" ! -path "$1/arch/x86" ! -path "$1/arch/x86/*" ! -path "$1/arch/Kconfig" \) -prune -o \
    -path "$1/Documentation" -prune -o -name 'Kconfig*' -type f -print0 |
    xargs -0 awk '
      FNR == 1 { sym = "" }
      /^[ \t]*(menu)?config[ \t]+[A-Za-z0-9_]+[ \t]*$/ { sym = $2; if (!(sym in st)) st[sym] = "noprompt"; next }
      /^[ \t]*(choice|endchoice|menu|endmenu|if|endif|comment|source|mainmenu)([ \t]|$)/ { sym = ""; next }
      sym != "" && /^[ \t]*(bool|tristate|string|int|hex|prompt)[ \t]+"/ { st[sym] = "prompt" }
      END { for (s in st) print s, st[s] }' | LC_ALL=C sort
}

# Module options this tree defines without a prompt: see settle_config.
declare -A NOPROMPT=()

# adapt_config SRC: drops from the lists what this tree cannot give.
#  - An option the tree does not define is dropped (e.g. LIBCRC32C, gone
#    in 7.x, or CRYPTO_CRCT10DIF).
#  - A module option the tree defines without a prompt (CRYPTO_ALGAPI2;
#    7.x's lib/crc options) is =m exactly when a requested option selects
#    it: settle_config decides after the first configuration.
# Each adaptation is logged.
adapt_config() {
  local syms o kept
  syms=$(kconfig_symbols "$1")
  declare -A st=()
  while read -r o kept; do st[$o]=$kept; done <<<"$syms"
  ((${#st[@]} > 100)) || {
    echo "e2e: no Kconfig symbols found under $1" >&2
    return 1
  }
  local list=()
  for o in "${WANT_M[@]}"; do
    case ${st[$o]:-} in
    prompt) list+=("$o") ;;
    noprompt)
      list+=("$o")
      NOPROMPT[$o]=1
      ;;
    *) log "config: $o is not defined in this tree: not requested" ;;
    esac
  done
  WANT_M=("${list[@]}")
  list=()
  for o in "${WANT_N[@]}"; do
    [[ -n ${st[$o]:-} ]] && list+=("$o")
  done
  WANT_N=("${list[@]}")
  for o in "${WANT_Y[@]}"; do
    [[ -n ${st[$o]:-} ]] || {
      echo "e2e: this tree does not define CONFIG_$o, which the test needs" >&2
      return 1
    }
  done
}

# unmet_deps LOG: the symbols kconfig names in "unmet direct dependencies"
# warnings whose dependency is a plain conjunction of symbols: "Depends on
# [n]: NET [=n] && FOO [=y]" gives NET. (A `select` that ignores a
# dependency leaves undefined references in vmlinux.)
unmet_deps() {
  awk '/^WARNING: unmet direct dependencies detected for/ { w = 1; next }
    w && /^ *Depends on \[n\]:/ {
      sub(/^ *Depends on \[n\]: */, "")
      if ($0 ~ /^[A-Z0-9_]+ \[=[nmy]\]( && [A-Z0-9_]+ \[=[nmy]\])*$/) {
        n = split($0, t, / && /)
        for (i = 1; i <= n; i++) if (t[i] ~ /\[=n\]$/) { sub(/ .*/, "", t[i]); print t[i] }
      } else print "?" $0
      w = 0 }' "$1" | LC_ALL=C sort -u
}

configure() { # configure OUTDIR [extra scripts/config args]
  local out=$1 o round deps
  shift
  rm -rf "$out" && mkdir -p "$out" || return 1
  "${KMAKE[@]}" -s O="$out" tinyconfig >/dev/null || return 1
  local args=()
  for o in "${WANT_Y[@]}"; do args+=(-e "$o"); done
  for o in "${WANT_M[@]}"; do args+=(-m "$o"); done
  for o in "${WANT_N[@]}"; do args+=(-d "$o"); done
  for o in "${EXTRA_CONFIG[@]}"; do args+=(--set-val "${o%%=*}" "${o#*=}"); done
  args+=("$@")
  "$SRC/scripts/config" --file "$out/.config" "${args[@]}" || return 1
  for round in 1 2 3; do
    "${KMAKE[@]}" -s O="$out" olddefconfig >"$out/modver-e2e-olddefconfig.log" 2>&1 || {
      cat "$out/modver-e2e-olddefconfig.log" >&2
      return 1
    }
    deps=$(unmet_deps "$out/modver-e2e-olddefconfig.log")
    [[ -z $deps ]] && return 0
    if grep -q '^?' <<<"$deps"; then
      echo "e2e: kconfig reports an unmet dependency this script cannot resolve; pass --config:" >&2
      cat "$out/modver-e2e-olddefconfig.log" >&2
      return 1
    fi
    for o in $deps; do
      log "config: CONFIG_$o enabled: a selected option depends on it (kconfig: unmet direct dependencies)"
      "$SRC/scripts/config" --file "$out/.config" -e "$o" || return 1
    done
  done
  echo "e2e: kconfig still reports unmet dependencies after 3 rounds" >&2
  return 1
}

# settle_config OUTDIR: after the first configuration, a prompt-less
# module option that nothing requested selected leaves the list (7.x:
# CRC16, CRC4, ... are no longer user-selectable and no requested module
# selects them); the later builds are checked against the settled list.
settle_config() {
  local o list=()
  for o in "${WANT_M[@]}"; do
    if [[ -n ${NOPROMPT[$o]:-} ]] && ! config_is "$1" "$o" m; then
      log "config: CONFIG_$o cannot be chosen in this tree and no requested option selects it: not one of the modules"
    else
      list+=("$o")
    fi
  done
  WANT_M=("${list[@]}")
  NOPROMPT=()
}

config_is() { # config_is OUTDIR OPTION VALUE(y|m|n|other)
  local line
  line=$(grep -E "^(# )?CONFIG_$2[= ]" "$1/.config")
  case $3 in
  n) [[ -z $line || $line == "# CONFIG_$2 is not set" ]] ;;
  *) [[ $line == "CONFIG_$2=$3" ]] ;;
  esac
}

verify_config() { # verify_config OUTDIR [trim]
  local out=$1 bad=() o
  for o in "${WANT_Y[@]}"; do config_is "$out" "$o" y || bad+=("$o!=y"); done
  for o in "${WANT_M[@]}"; do config_is "$out" "$o" m || bad+=("$o!=m"); done
  for o in "${WANT_N[@]}"; do
    [[ $o == TRIM_UNUSED_KSYMS && ${2:-} == trim ]] && continue
    config_is "$out" "$o" n || bad+=("$o!=n")
  done
  for o in "${EXTRA_CONFIG[@]}"; do config_is "$out" "${o%%=*}" "${o#*=}" || bad+=("${o%%=*}!=${o#*=}"); done
  [[ ${2:-} == trim ]] && { config_is "$out" TRIM_UNUSED_KSYMS y || bad+=("TRIM_UNUSED_KSYMS!=y"); }
  ((${#bad[@]} == 0)) || echo "config mismatch in $out: ${bad[*]}" >&2
  ((${#bad[@]} == 0))
}
