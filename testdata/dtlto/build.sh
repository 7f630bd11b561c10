#!/usr/bin/env bash
# Builds vmlinux's objects the way 7.2's distributed ThinLTO does
# (CONFIG_LTO_CLANG_THIN_DIST), from testdata/crc's sources: no 7.2 tree is
# needed, the steps are those of 7.2's kbuild:
#   scripts/Makefile.build   each foo.o is ThinLTO bitcode; its .foo.o.cmd
#                            holds the command and genksyms' #SYMVER lines
#                            (gen_symversions appends them);
#   scripts/Makefile.vmlinux_a
#                            built-in-fixup.a (thin, `ar cDPrST`),
#                            builtin.order (`ar t`), the thin link
#                            `ld.lld -r --thinlto-index-only=vmlinux.thinlto-index @builtin.order`
#                            (one foo.o.thinlto.bc per bitcode object);
#   scripts/Makefile.thinlto `clang -x ir -fno-lto -fthinlto-index=foo.o.thinlto.bc -c -o foo.thinlto-native.o foo.o`;
#   vmlinux.a                a thin archive of the native objects, in
#                            builtin.order, an object the index does not
#                            list (here an ELF one, as assembler objects
#                            are) under its own name;
#   scripts/Makefile.modpost .vmlinux.objs = `ar t vmlinux.a`.
# Usage: build.sh OUTDIR LLVM_VERSION
set -euo pipefail
out=$1 v=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../crc
cc=clang-$v ar=llvm-ar-$v ld=ld.lld-$v
genksyms=$(ls -d /usr/lib/linux-kbuild-*/scripts/genksyms/genksyms | sort -V | tail -n1)
[[ -x $genksyms ]] || { echo "build.sh: no genksyms (scripts/setup.sh kbuild)" >&2; exit 2; }
flags=(-O2 -DEXPORT_LAYOUT=612 -I"$src/include")
mkdir -p "$out/kernel" "$out/lib"
cd "$out"
# Objects in two directories: the .cmd file is looked up next to each.
bitcode=(kernel/basic.o kernel/structs.o lib/misc.o)
for o in "${bitcode[@]}"; do
  c=$src/$(basename "${o%.o}").c
  "$cc" "${flags[@]}" -flto=thin -c "$c" -o "$o"
  {
    echo "savedcmd_$o := $cc ${flags[*]} -flto=thin -c -o $o $c"
    "$cc" -E -D__GENKSYMS__ "${flags[@]}" "$c" | "$genksyms"
  } > "$(dirname "$o")/.$(basename "$o").cmd"
done
# Not bitcode: stays as it is in vmlinux.a.
"$cc" "${flags[@]}" -c "$src/noexport/noexport.c" -o lib/noexport.o
echo "savedcmd_lib/noexport.o := $cc ${flags[*]} -c -o lib/noexport.o $src/noexport/noexport.c" > lib/.noexport.o.cmd
rm -f built-in-fixup.a vmlinux.a
"$ar" cDPrST built-in-fixup.a "${bitcode[@]}" lib/noexport.o
"$ar" t built-in-fixup.a > builtin.order
"$ld" -m elf_x86_64 -r --thinlto-index-only=vmlinux.thinlto-index @builtin.order
while read -r o; do
  "$cc" -O2 -x ir -fno-lto -Wno-unused-command-line-argument \
    -fthinlto-index="$o.thinlto.bc" -c -o "${o%.o}.thinlto-native.o" "$o"
done < vmlinux.thinlto-index
while read -r obj; do
  if grep -Fqx "$obj" vmlinux.thinlto-index; then
    echo "${obj%.o}.thinlto-native.o"
  else
    echo "$obj"
  fi
done < builtin.order | xargs "$ar" cDPrS --thin vmlinux.a
"$ar" t vmlinux.a > .vmlinux.objs
