#!/usr/bin/env bash
# Builds the BTF fixtures: two builds (v1, and v2 = -DV2) of exports.c,
# each as what a CONFIG_DEBUG_INFO_BTF kernel ships and what a
# KBUILD_SYMTYPES=1 build leaves:
#   OUT/vN/vmlinux         ELF linked from exports.c (clang -g), .BTF added
#                          by pahole -J as the kernel's link-vmlinux.sh does
#   OUT/vN/vmlinux.btf     the same BTF detached (as /sys/kernel/btf/vmlinux)
#   OUT/vN/exports.symtypes, Module.symvers   from the real genksyms
#   OUT/vN/module.o        module.c with split BTF over vN/vmlinux
#   OUT/vN/consumer.ko     consumer.c, built for vN: its __versions hold vN's
#                          CRCs of what it imports (as modpost writes them)
# Usage: testdata/btf/build.sh OUTDIR [LLVM_VERSION]   (default 19)
# Needs clang-N, ld.lld-N (scripts/setup.sh base), genksyms from
# linux-kbuild-6.1 and pahole (scripts/setup.sh kbuild).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=$1
v=${2:-19}
CC=clang-$v
LD=ld.lld-$v
GENKSYMS=${GENKSYMS:-/usr/lib/linux-kbuild-6.1/scripts/genksyms/genksyms}
for t in "$CC" "$LD"; do command -v "$t" >/dev/null || { echo "build.sh: $t missing: run scripts/setup.sh base" >&2; exit 2; }; done
command -v pahole >/dev/null || { echo "build.sh: pahole missing: run scripts/setup.sh kbuild" >&2; exit 2; }
[[ -x $GENKSYMS ]] || { echo "build.sh: $GENKSYMS missing: run scripts/setup.sh kbuild" >&2; exit 2; }

# shellcheck source=testdata/modversions.sh
. "$src/../modversions.sh"

cflags=(--target=x86_64-linux-gnu -g -O2 -ffreestanding -nostdinc -fno-pic -fno-common)
for b in v1 v2; do
	defs=(); [[ $b == v2 ]] && defs=(-DV2)
	d="$out/$b"; mkdir -p "$d"
	"$CC" -E -D__GENKSYMS__ "${defs[@]}" "$src/exports.c" |
		"$GENKSYMS" -T "$d/exports.symtypes" > "$d/exports.symver"
	awk '$1 == "#SYMVER" { printf "%s\t%s\tvmlinux\tEXPORT_SYMBOL\t\n", $3, $2 }' "$d/exports.symver" > "$d/Module.symvers"
	"$CC" "${cflags[@]}" "${defs[@]}" -c "$src/exports.c" -o "$d/exports.o"
	"$LD" -o "$d/vmlinux" -e 0 "$d/exports.o"
	# --btf_gen_all: FLOAT, DECL_TAG and ENUM64 records too.
	pahole -J --btf_gen_all "$d/vmlinux"
	pahole --btf_gen_all --btf_encode_detached="$d/vmlinux.btf" "$d/vmlinux"
	"$CC" "${cflags[@]}" -c "$src/module.c" -o "$d/module.o"
	pahole -J --btf_gen_all --btf_base "$d/vmlinux" "$d/module.o"
	awk '$1 == "#SYMVER" && $2 ~ /^(widget_get|holder_use|plain_add|mode_set)$/ { print $3, $2 }' "$d/exports.symver" |
		versions_c > "$d/consumer.mod.c"
	"$CC" "${cflags[@]}" -c "$src/consumer.c" -o "$d/consumer.o"
	"$CC" "${cflags[@]}" -c "$d/consumer.mod.c" -o "$d/consumer.mod.o"
	"$LD" -r -o "$d/consumer.ko" "$d/consumer.o" "$d/consumer.mod.o"
done
echo "built $out"
