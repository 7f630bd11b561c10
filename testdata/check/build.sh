#!/usr/bin/env bash
# Builds the `modver check`/`dump-modversions`/`explain` fixtures: two builds
# (v1, v2 = -DWIDGET_V2, where struct widget gains a member) of a small
# module set, linked as .ko-like ELF relocatables with the tables modpost
# would generate (__ksymtab/__kcrctab in the providers, __versions in the
# consumer), with CRCs and symtypes from the real genksyms.
#
# Usage: testdata/check/build.sh OUTDIR [LLVM_VERSION]   (default 19)
# Needs clang-N, ld.lld-N (scripts/setup.sh base), genksyms from
# linux-kbuild-6.1, xz, zstd, gzip (scripts/setup.sh kbuild).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=$1
v=${2:-19}
CC=clang-$v
LD=ld.lld-$v
GENKSYMS=${GENKSYMS:-/usr/lib/linux-kbuild-6.1/scripts/genksyms/genksyms}
for t in "$CC" "$LD"; do command -v "$t" >/dev/null || { echo "build.sh: $t missing: run scripts/setup.sh base" >&2; exit 2; }; done
[[ -x $GENKSYMS ]] || { echo "build.sh: $GENKSYMS missing: run scripts/setup.sh kbuild" >&2; exit 2; }
for t in xz zstd gzip; do command -v $t >/dev/null || { echo "build.sh: $t missing: run scripts/setup.sh kbuild" >&2; exit 2; }; done

cflags=(-O2 -ffreestanding -nostdinc -fno-pic -fno-common -I"$src")
mkdir -p "$out"

# Merges the per-symbol sections as scripts/module.lds.S does.
cat > "$out/module.lds" <<'LDS'
SECTIONS {
	__ksymtab 0 : { *(SORT(___ksymtab+*)) }
	__kcrctab 0 : { *(SORT(___kcrctab+*)) }
}
LDS
# A vmlinux-like layout: sections at kernel addresses, as vmlinux.lds.S.
cat > "$out/vmlinux.lds" <<'LDS'
SECTIONS {
	. = 0xffffffff81000000;
	.text : { *(.text .text.*) }
	__ksymtab : { *(SORT(___ksymtab+*)) }
	__kcrctab : { *(SORT(___kcrctab+*)) }
	__ksymtab_strings : { *(__ksymtab_strings) }
}
LDS

# genksyms over the preprocessed source: symtypes file + "#SYMVER sym crc" lines.
genksyms() { # build name defines...
	local b=$1 n=$2; shift 2
	"$CC" -E -P -D__GENKSYMS__ "$@" -I"$src" "$src/$n.c" |
		"$GENKSYMS" -T "$out/$b/$n.symtypes" > "$out/$b/$n.symver"
}

# NAME.mod.c for a provider: a __ksymtab entry per export (PREL32, as on
# x86_64, its name in __ksymtab_strings) and, if versioned, its CRC in
# __kcrctab.
provider_modc() { # symver-file versioned(0/1)
	while read -r tag sym crc; do
		[[ $tag == "#SYMVER" ]] || continue
		printf 'asm(".section \\"__ksymtab_strings\\",\\"aMS\\",%%progbits,1\\n__kstrtab_%s:\\n.asciz \\"%s\\"\\n.previous\\n");\n' "$sym" "$sym"
		printf 'asm(".section \\"___ksymtab+%s\\",\\"a\\"\\n.balign 4\\n__ksymtab_%s:\\n.long %s - .\\n.long __kstrtab_%s - .\\n.long 0\\n.previous\\n");\n' "$sym" "$sym" "$sym" "$sym"
		if [[ $2 == 1 ]]; then
			printf 'asm(".section \\"___kcrctab+%s\\",\\"a\\"\\n.balign 4\\n__crc_%s:\\n.long %s\\n.previous\\n");\n' "$sym" "$sym" "$crc"
		fi
	done < "$1"
}

# shellcheck source=testdata/modversions.sh
. "$src/../modversions.sh"

# The 6.14+ extended tables from "crc name" lines on stdin.
ext_versions_c() {
	local lines; lines=$(cat)
	echo 'static const unsigned int ____version_ext_crcs[] __attribute__((used, section("__version_ext_crcs"), aligned(4))) = {'
	while read -r crc name; do printf '\t%s,\n' "$crc"; done <<< "$lines"
	echo '};'
	echo 'static const char ____version_ext_names[] __attribute__((used, section("__version_ext_names"), aligned(1))) ='
	while read -r crc name; do printf '\t"%s\\0"\n' "$name"; done <<< "$lines"
	echo ';'
}

# Links NAME.o (+ NAME.mod.c) into NAME.ko. LTO: the .c is bitcode, and
# ld.lld -r runs LTO, as kbuild links modules under CONFIG_LTO_CLANG.
link_ko() { # dir name target
	local d=$1 n=$2 tgt=$3
	"$CC" --target="$tgt" "${cflags[@]}" -c "$d/$n.mod.c" -o "$d/$n.mod.o"
	"$LD" -r -T "$out/module.lds" -o "$d/$n.ko" "$d/$n.o" "$d/$n.mod.o"
}

for b in v1 v2; do
	defs=(); [[ $b == v2 ]] && defs=(-DWIDGET_V2)
	d="$out/$b"; mkdir -p "$d"
	for n in provider rawprov consumer; do
		genksyms "$b" "$n" "${defs[@]}"
		"$CC" --target=x86_64-linux-gnu -flto=thin "${cflags[@]}" "${defs[@]}" -c "$src/$n.c" -o "$d/$n.o"
	done
	# rawprov is versioned in v1 only: in v2 it stands for a provider
	# built without CONFIG_MODVERSIONS.
	raw_versioned=1; [[ $b == v2 ]] && raw_versioned=0
	provider_modc "$d/provider.symver" 1 > "$d/provider.mod.c"
	provider_modc "$d/rawprov.symver" $raw_versioned > "$d/rawprov.mod.c"
	# What modpost would record for the consumer: every import whose
	# provider has a CRC (ghost_symbol has no provider and is left out).
	{
		awk '$1 == "#SYMVER" { print $3, $2 }' "$d/provider.symver"
		[[ $raw_versioned == 0 ]] || awk '$1 == "#SYMVER" { print $3, $2 }' "$d/rawprov.symver"
	} > "$d/consumer.versions"
	versions_c < "$d/consumer.versions" > "$d/consumer.mod.c"
	# Providers import nothing but module_layout, which modpost always adds.
	for n in provider rawprov; do echo "0x0badc0de module_layout" | versions_c >> "$d/$n.mod.c"; done
	for n in provider rawprov consumer; do link_ko "$d" $n x86_64-linux-gnu; done
	# The provider as part of a linked vmlinux (ET_EXEC: symbol values are
	# addresses), and as a <= 5.18 module whose CRCs are absolute __crc_
	# symbols (what the .ver/.symversions linker scripts produced).
	"$LD" -o "$d/vmlinux" -e 0 --no-pie -T "$out/vmlinux.lds" "$d/provider.o" "$d/provider.mod.o"
	# Stripped as the vmlinux in a bzImage is (objcopy -S): no .symtab.
	"llvm-objcopy-$v" -S "$d/vmlinux" "$d/vmlinux.stripped"
	{
		sed -n 's/^\(asm(".section \\"___ksymtab+.*\)$/\1/p' "$d/provider.mod.c"
		awk '$1 == "#SYMVER" { printf "asm(\".globl __crc_%s\\n.set __crc_%s, %s\\n\");\n", $2, $2, $3 }' "$d/provider.symver"
		echo "0x0badc0de module_layout" | versions_c
	} > "$d/provider_abs.mod.c"
	cp "$d/provider.o" "$d/provider_abs.o"
	link_ko "$d" provider_abs x86_64-linux-gnu
	# Module.symvers as modpost writes it (unversioned exports left out).
	{
		awk '$1 == "#SYMVER" { printf "%s\t%s\tprovider\tEXPORT_SYMBOL\t\n", $3, $2 }' "$d/provider.symver"
		# modpost writes unversioned exports with CRC 0.
		awk -v v=$raw_versioned '$1 == "#SYMVER" { printf "%s\t%s\trawprov\tEXPORT_SYMBOL_GPL\t\n", v ? $3 : "0x00000000", $2 }' "$d/rawprov.symver"
	} > "$d/Module.symvers"
done

# The same import table for other classes and byte orders (kmod's oracle
# covers ELFCLASS32/64 and both endians).
mkdir -p "$out/targets"
for tgt in x86_64-linux-gnu i386-linux-gnu aarch64-linux-gnu powerpc-linux-gnu powerpc64-linux-gnu; do
	d="$out/targets/$tgt"; mkdir -p "$d"
	"$CC" --target="$tgt" "${cflags[@]}" -c "$src/consumer.c" -o "$d/consumer.o"
	cp "$out/v1/consumer.mod.c" "$d/consumer.mod.c"
	link_ko "$d" consumer "$tgt"
done

# Compressed modules, as scripts/Makefile.modinst compresses them.
mkdir -p "$out/compressed"
xz --check=crc32 --lzma2=dict=1MiB -c "$out/v1/consumer.ko" > "$out/compressed/consumer.ko.xz"
zstd -q -T0 --ultra -22 -c "$out/v1/consumer.ko" > "$out/compressed/consumer.ko.zst"
gzip -n -9 -c "$out/v1/consumer.ko" > "$out/compressed/consumer.ko.gz"

# 6.14+ extended tables: the same entries as basic-only, extended-only, and
# both (basic then holds only the names shorter than 56 bytes, as modpost
# writes it); ext/expected is the table the kernel uses.
mkdir -p "$out/ext"
long=this_is_an_exported_symbol_whose_name_does_not_fit_in_56_bytes
{ cat "$out/v1/consumer.versions"; echo "0x01020304 $long"; } > "$out/ext/all.versions"
mk_ext() { # name, C text on stdin
	cat > "$out/ext/$1.c"
	"$CC" --target=x86_64-linux-gnu "${cflags[@]}" -c "$out/ext/$1.c" -o "$out/ext/$1.ko"
}
versions_c < "$out/v1/consumer.versions" | mk_ext basic
ext_versions_c < "$out/v1/consumer.versions" | mk_ext extended
{ versions_c < "$out/v1/consumer.versions"; ext_versions_c < "$out/ext/all.versions"; } | mk_ext both
awk '{ printf "0x%08x\t%s\n", strtonum($1), $2 }' "$out/ext/all.versions" > "$out/ext/both.expected"

# Bad inputs.
mkdir -p "$out/bad"
"$LD" -r -o "$out/bad/noversions.ko" "$out/v1/consumer.o"
printf '%s\n' 'static const char junk[100] __attribute__((used, section("__versions"))) = "x";' | {
	cat > "$out/bad/truncated.c"; "$CC" --target=x86_64-linux-gnu "${cflags[@]}" -c "$out/bad/truncated.c" -o "$out/bad/truncated.ko"; }
{ echo "$modversion_struct"
  echo 'static const struct modversion_info v[] __attribute__((used, section("__versions"))) = {'
  echo '	{ 1, "printk" }, { 2, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd" } };'; } > "$out/bad/nonul.c"
"$CC" --target=x86_64-linux-gnu "${cflags[@]}" -c "$out/bad/nonul.c" -o "$out/bad/nonul.ko"
head -c 300 "$out/compressed/consumer.ko.xz" > "$out/bad/corrupt.ko.xz"
printf '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0xnothex\tbar\tvmlinux\tEXPORT_SYMBOL\t\n' > "$out/bad/Module.symvers"
echo "built $out"
