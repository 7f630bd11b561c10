#!/usr/bin/env bash
# Builds the symbol-table fixtures from the C sources in this directory.
# Usage: build.sh OUTDIR LLVM_VERSION     (e.g. build.sh /tmp/fx 14)
# Produces, under OUTDIR:
#   thin/*.o   ThinLTO bitcode (-flto=thin)   full/*.o  full LTO bitcode (-flto)
#   elf/*.o    ELF (-fno-lto)                 elf32/*.o, bc32/*.o  i386 ELF and bitcode
#   */demo.a   llvm-ar rcs archive of the units of that flavour
#   */demo-thin.a  llvm-ar cDPrST thin archive (what kbuild links modules from)
#   mixed.a    regular archive with bitcode and ELF members
#   sub/dir/mixed-thin.a  thin archive whose members live in other directories
#   demo.lto.o ld.lld -r of the thin archive (the LTO-linked module, ELF)
#   many/demo_many.o  bitcode with thousands of undefined symbols
#   junk/...   inputs that are not objects / are truncated
set -euo pipefail
out=$1 v=$2
here=$(cd "$(dirname "$0")" && pwd)
cc=clang-$v ar=llvm-ar-$v ld=ld.lld-$v
for t in "$cc" "$ar" "$ld"; do
  command -v "$t" >/dev/null || { echo "build.sh: $t missing: run scripts/setup.sh base" >&2; exit 2; }
done
units=(demo_main demo_util demo_data)
cflags=(-O2 -fcommon -fno-pic -ffunction-sections -fdata-sections -I"$here")
mkdir -p "$out"/{thin,full,elf,elf32,bc32,many,junk,sub/dir}
for u in "${units[@]}"; do
  "$cc" "${cflags[@]}" -flto=thin -c "$here/$u.c" -o "$out/thin/$u.o"
  "$cc" "${cflags[@]}" -flto -c "$here/$u.c" -o "$out/full/$u.o"
  "$cc" "${cflags[@]}" -fno-lto -c "$here/$u.c" -o "$out/elf/$u.o"
  "$cc" "${cflags[@]}" -m32 -fno-lto -c "$here/$u.c" -o "$out/elf32/$u.o"
  "$cc" "${cflags[@]}" -m32 -flto=thin -c "$here/$u.c" -o "$out/bc32/$u.o"
done
for d in thin full elf elf32 bc32; do
  (cd "$out/$d" && rm -f demo.a demo-thin.a &&
   "$ar" rcs demo.a "${units[@]/%/.o}" && "$ar" cDPrST demo-thin.a "${units[@]/%/.o}")
done
rm -f "$out/mixed.a" "$out/sub/dir/mixed-thin.a"
"$ar" rcs "$out/mixed.a" "$out/thin/demo_main.o" "$out/elf/demo_util.o" "$out/full/demo_data.o"
(cd "$out" && "$ar" cDPrST sub/dir/mixed-thin.a thin/demo_main.o elf/demo_util.o full/demo_data.o)
# As kbuild 5.12 links foo.lto.o: ld -r --whole-archive of the thin archive.
"$ld" -m elf_x86_64 -r -o "$out/demo.lto.o" --whole-archive "$out/thin/demo-thin.a"

# Thousands of undefined symbols: the case where kbuild's xargs once split
# the .mod line and trimmed used symbols.
{
  for i in $(seq 1 3000); do printf 'extern void kernel_function_with_a_rather_long_name_%04d(void);\n' "$i"; done
  printf 'void demo_many(void)\n{\n'
  for i in $(seq 1 3000); do printf '\tkernel_function_with_a_rather_long_name_%04d();\n' "$i"; done
  printf '}\n'
} > "$out/many/demo_many.c"
"$cc" -O2 -flto=thin -c "$out/many/demo_many.c" -o "$out/many/demo_many.o"
(cd "$out/many" && rm -f many-thin.a && "$ar" cDPrST many-thin.a demo_many.o ../thin/demo_main.o)

# Many local symbols equal in name, size and address but not in letter
# (`static int counter` in .data.counter or .bss.counter of each unit,
# linked with ld -r): only llvm-nm's unstable std::sort fixes their order.
mkdir -p "$out/dups"
for i in $(seq 1 40); do
  if ((i % 3)); then init=" = $i"; else init=""; fi
  printf 'static int counter%s;\nint dup_fn_%02d(void) { return ++counter; }\n' "$init" "$i" > "$out/dups/u$i.c"
  "$cc" -O2 -fno-lto -ffunction-sections -fdata-sections -c "$out/dups/u$i.c" -o "$out/dups/u$i.o"
done
"$ld" -m elf_x86_64 -r -o "$out/dups/dups.o" "$out"/dups/u*.o
rm -f "$out"/dups/u*.o

# Bad inputs.
printf 'this is not an object file\n' > "$out/junk/text.o"
head -c 200 "$out/elf/demo_main.o" > "$out/junk/truncated-elf.o"
head -c 100 "$out/thin/demo_main.o" > "$out/junk/truncated-bc.o"
cp "$out/thin/demo_util.o" "$out/junk/member.o"
(cd "$out/junk" && rm -f missing-member.a && "$ar" cDPrST missing-member.a member.o && rm member.o)
: > "$out/junk/empty.o"
