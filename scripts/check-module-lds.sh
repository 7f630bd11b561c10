#!/usr/bin/env bash
# Compares `modver lds` with a kernel's own scripts/module.lds as kbuild
# preprocessed it (cmd_cpp_lds_S) in a Clang LTO build.
#
# Usage:
#   bash scripts/check-module-lds.sh OUTDIR
#       OUTDIR is a configured kbuild output directory (O=) that has
#       scripts/module.lds (any build, or `make modules_prepare`).
#   bash scripts/check-module-lds.sh --source SRCDIR [--llvm N] [--out OUTDIR]
#       configures SRCDIR (tinyconfig + 64BIT + MODULES + LTO_CLANG_THIN,
#       x86_64, LLVM=-N, default 19) in OUTDIR (default: a temporary
#       directory) and runs `make modules_prepare`, which is where kbuild
#       makes scripts/module.lds (`make scripts/module.lds` does not work
#       as a single target before 7.x: its rule is in scripts/Makefile.build
#       with obj=scripts, which the single-target build does not use).
#
# The comparison: every output-section statement of the real module.lds
# named .text, .bss, .data or .rodata (brace-matched, comments dropped,
# whitespace normalized), in file order, must equal the statements of
# `modver lds --kernel X.Y` (X.Y from include/config/kernel.release).
# Prints one ok/FAIL line; exits 0 on a match, 1 on a mismatch, 2 on error.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/scripts/cargo-bin.sh"
MODVER=${MODVER:-$(modver_bin debug)}
LLVM=19
SRCDIR= OUT= TMP=
while (($#)); do
  case $1 in
  --source) SRCDIR=$2; shift 2 ;;
  --llvm) LLVM=$2; shift 2 ;;
  --out) OUT=$2; shift 2 ;;
  -*)
    echo "usage: $0 OUTDIR | --source SRCDIR [--llvm N] [--out OUTDIR]" >&2
    exit 2
    ;;
  *) OUT=$1; shift ;;
  esac
done
[[ -x $MODVER ]] || { echo "check-module-lds: $MODVER not found (cargo build, or MODVER=)" >&2; exit 2; }

if [[ -n $SRCDIR ]]; then
  [[ -f $SRCDIR/Makefile ]] || { echo "check-module-lds: $SRCDIR is not a kernel tree" >&2; exit 2; }
  if [[ -z $OUT ]]; then
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    OUT=$TMP
  fi
  kmake=(make -s ARCH=x86_64 LLVM=-"$LLVM" -C "$SRCDIR" O="$OUT")
  { "${kmake[@]}" tinyconfig >/dev/null &&
    "$SRCDIR/scripts/config" --file "$OUT/.config" -e 64BIT -e MODULES -e LTO_CLANG_THIN -d LTO_NONE &&
    "${kmake[@]}" olddefconfig >/dev/null &&
    grep -qx CONFIG_LTO_CLANG=y "$OUT/.config" &&
    "${kmake[@]}" -j"${JOBS:-2}" modules_prepare >/dev/null; } || {
    echo "check-module-lds: configuring $SRCDIR with LLVM=-$LLVM and LTO_CLANG_THIN failed" >&2
    exit 2
  }
fi
[[ -n $OUT && -f $OUT/scripts/module.lds && -f $OUT/include/config/kernel.release ]] || {
  echo "check-module-lds: ${OUT:-no OUTDIR}: expected scripts/module.lds and include/config/kernel.release" >&2
  exit 2
}

# The merge statements of a linker script, one normalized line each.
merge_statements() {
  awk '
    { text = text $0 "\n" }
    END {
      while ((i = index(text, "/*")) > 0) {
        rest = substr(text, i + 2); j = index(rest, "*/")
        text = substr(text, 1, i - 1) " " (j ? substr(rest, j + 2) : "")
      }
      n = length(text); pos = 1
      while (pos <= n) {
        rest = substr(text, pos)
        if (!match(rest, /(^|[ \t\n])\.(text|bss|data|rodata)[ \t\n]+(0[ \t\n]+)?:/)) break
        start = pos + RSTART - 1; p = start + RLENGTH; depth = 0; opened = 0
        while (p <= n) {
          c = substr(text, p, 1)
          if (c == "{") { depth++; opened = 1 }
          else if (c == "}") { depth--; if (opened && depth == 0) break }
          p++
        }
        stmt = substr(text, start, p - start + 1)
        gsub(/[ \t\n]+/, " ", stmt); sub(/^ /, "", stmt)
        print stmt
        pos = p + 1
      }
    }' "$1"
}

release=$(cat "$OUT/include/config/kernel.release")
kver=$(echo "$release" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
want=$(merge_statements "$OUT/scripts/module.lds")
got=$("$MODVER" lds --kernel "$kver" 2>/dev/null | merge_statements /dev/stdin) || {
  echo "FAIL - modver lds --kernel $kver failed"
  exit 1
}
if [[ -n $want && $want == "$got" ]]; then
  echo "ok   - modver lds --kernel $kver equals the $(echo "$want" | wc -l) merge rules of $release's scripts/module.lds ($OUT)"
else
  echo "FAIL - modver lds --kernel $kver differs from $release's scripts/module.lds ($OUT)"
  diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
  exit 1
fi
