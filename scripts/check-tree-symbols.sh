#!/usr/bin/env bash
# Differential check over a whole build tree (issue 6): modver's native
# bitcode reader against llvm-nm on every object, archive and thin archive.
# Usage: scripts/check-tree-symbols.sh DIR [LLVM_VERSION]
#   (default: the clang the tree was configured with, CONFIG_CLANG_VERSION)
# Prints "tree-symbols: N passed, M failed" (N, M: output formats compared).
set -uo pipefail
dir=${1:?usage: check-tree-symbols.sh DIR [LLVM_VERSION]} v=${2:-}
if [[ -z $v ]]; then
  v=$(sed -n 's/^CONFIG_CLANG_VERSION=\([0-9]*\)[0-9]\{4\}$/\1/p' "$dir/.config" 2>/dev/null)
  [[ -n $v ]] || { echo "check-tree-symbols.sh: $dir/.config names no clang; give LLVM_VERSION" >&2; exit 2; }
fi
if [[ -z ${MODVER:-} ]]; then
  (cd "$(dirname "$0")/.." && cargo build --release -q) || exit 2
fi
. "$(dirname "$0")/cargo-bin.sh"
modver=${MODVER:-$(modver_bin release)}
nm=llvm-nm-$v
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 2
# Every object and archive llvm-nm itself can read (*.mod.o, vdso images and
# the like are ELF and included; only unreadable files are left out).
find . \( -name '*.o' -o -name '*.a' \) -type f -printf '%P\n' | sort > "$tmp/all"
while read -r f; do "$nm" "$f" >/dev/null 2>&1 && echo "$f"; done < "$tmp/all" > "$tmp/list"
n=$(wc -l < "$tmp/list")
pass=0 fail=0
for fmt in bsd posix; do
  flag=""; [[ $fmt == posix ]] && flag=-P
  xargs "$nm" $flag < "$tmp/list" > "$tmp/nm.$fmt" 2>/dev/null
  xargs "$modver" symbols --backend native --format "$fmt" < "$tmp/list" > "$tmp/mv.$fmt" 2>"$tmp/err.$fmt"
  if cmp -s "$tmp/nm.$fmt" "$tmp/mv.$fmt"; then
    pass=$((pass + 1))
    echo "tree-symbols: $fmt: $n files, $(wc -l < "$tmp/nm.$fmt") lines identical to $nm"
  else
    fail=$((fail + 1))
    echo "tree-symbols: $fmt: modver differs from $nm:"
    diff "$tmp/nm.$fmt" "$tmp/mv.$fmt" | head -20
    head -5 "$tmp/err.$fmt"
  fi
done
echo "tree-symbols: $pass passed, $fail failed"
((fail == 0))
