#!/usr/bin/env bash
# Builds a two-unit ThinLTO "module" the way kbuild does for a 5.19+ LTO
# module: each unit compiled to bitcode, `ld.lld -r` of the bitcode (LTO code
# generation happens here, with split sections), then the final `ld -r`
# that makes the .ko, with and without the section-merge fragment.
# Usage: build.sh OUTDIR LLVM_SUFFIX FRAGMENT.lds    (e.g. build.sh /tmp/x 14 frag.lds)
set -euo pipefail
out=$1 v=$2 frag=$3
here=$(cd "$(dirname "$0")" && pwd)
for u in unit_a unit_b; do
  "clang-$v" -O2 -flto=thin -fsplit-lto-unit -fvisibility=hidden -fno-pic \
    -mcmodel=kernel -c -o "$out/$u.o" "$here/$u.c"
done
"ld.lld-$v" -m elf_x86_64 -r -o "$out/module.o" "$out/unit_a.o" "$out/unit_b.o"
"ld.lld-$v" -m elf_x86_64 -r -o "$out/plain.ko" "$out/module.o"
"ld.lld-$v" -m elf_x86_64 -r -T "$frag" -o "$out/merged.ko" "$out/module.o"
