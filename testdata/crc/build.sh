#!/usr/bin/env bash
# Builds the CRC corpus objects: ELF and bitcode, with the 6.1 (__ksymtab_)
# and 6.5+ (__export_symbol_) export layouts, plus a thin archive of each
# set, the way kbuild builds objects for an LTO kernel.
# Usage: build.sh OUTDIR LLVM_VERSION
set -euo pipefail
out=$1 v=$2
here=$(cd "$(dirname "$0")" && pwd)
cc=clang-$v ar=llvm-ar-$v
for layout in 61 612; do
  for kind in elf bc; do
    d=$out/$layout/$kind
    mkdir -p "$d"
    flags=(-O2 -c -DEXPORT_LAYOUT=$layout -I"$here/include")
    [[ $kind == bc ]] && flags+=(-flto)
    for src in "$here"/*.c "$here"/noexport/*.c; do
      $cc "${flags[@]}" "$src" -o "$d/$(basename "${src%.c}").o"
    done
    (cd "$d" && $ar rcST built-in.a basic.o structs.o misc.o noexport.o)
  done
done
