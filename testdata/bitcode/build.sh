#!/usr/bin/env bash
# Builds the bitcode corpus with one LLVM version.
# Usage: testdata/bitcode/build.sh VERSION OUTDIR
# Produces OUTDIR/<target>-<lto>-<source>.o for each target triple and
# full/thin LTO, plus a regular and a thin archive of the x86_64 thin-LTO
# objects (OUTDIR/all.a, OUTDIR/thin.a).
set -euo pipefail
v=$1 out=$2
src=$(cd "$(dirname "$0")" && pwd)
cc=clang-$v ar=llvm-ar-$v
for t in "$cc" "$ar"; do
  command -v "$t" >/dev/null || { echo "build.sh: $t missing: run scripts/setup.sh llvm-all" >&2; exit 2; }
done
mkdir -p "$out"
for target in x86_64-linux-gnu i386-linux-gnu armv7a-linux-gnueabihf aarch64-linux-gnu; do
  for lto in full thin; do
    for c in symbols common exports longnames empty; do
      flags=(-c -O2 -ffreestanding -flto=$lto --target=$target -w)
      [[ $c == common ]] && flags+=(-fcommon)
      # 32-bit ARM assembler has no @function/@object: keep the asm corpus
      # to the targets whose syntax it uses.
      [[ $c == exports && $target == armv7a* ]] && continue
      "$cc" "${flags[@]}" "$src/$c.c" -o "$out/$target-$lto-$c.o"
    done
  done
done
rm -f "$out/all.a" "$out/thin.a"
"$ar" rc "$out/all.a" "$out"/x86_64-linux-gnu-thin-*.o
"$ar" rcT "$out/thin.a" "$out"/x86_64-linux-gnu-thin-*.o
