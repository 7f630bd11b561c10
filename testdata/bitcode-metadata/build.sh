#!/usr/bin/env bash
# Builds the debug-info metadata corpus with one LLVM version.
# Usage: testdata/bitcode-metadata/build.sh VERSION OUTDIR
# For each C source: OUTDIR/<source>-{thin,full}.o (x86_64, -O2 -g as the
# kernel compiles, ThinLTO and full LTO), OUTDIR/<source>-arm64-thin.o, and
# OUTDIR/<source>-wrapper.o (a Darwin target: LLVM writes the bitcode
# wrapper header there). With VERSION equal to the LLVM version of the
# rustc on PATH, also OUTDIR/kernel_rust.o (rustc --emit=llvm-bc).
set -euo pipefail
v=$1 out=$2
src=$(cd "$(dirname "$0")" && pwd)
cc=clang-$v
command -v "$cc" >/dev/null || { echo "build.sh: $cc missing: run scripts/setup.sh llvm-all" >&2; exit 2; }
mkdir -p "$out"
common=(-c -O2 -g -ffreestanding -fno-strict-aliasing -fno-common -w)
for c in kernel_types bitfields_bigint; do
  for lto in thin full; do
    "$cc" "${common[@]}" -flto=$lto --target=x86_64-linux-gnu "$src/$c.c" -o "$out/$c-$lto.o"
  done
  "$cc" "${common[@]}" -flto=thin --target=aarch64-linux-gnu "$src/$c.c" -o "$out/$c-arm64-thin.o"
  "$cc" "${common[@]}" -flto=full --target=x86_64-apple-macosx11 "$src/$c.c" -o "$out/$c-wrapper.o"
done
if command -v rustc >/dev/null && rustc --version --verbose | grep -q "^LLVM version: $v\."; then
  rustc --edition 2021 -A warnings -C debuginfo=2 -C opt-level=2 -C panic=abort --emit=llvm-bc \
    "$src/kernel_rust.rs" -o "$out/kernel_rust.o"
fi
