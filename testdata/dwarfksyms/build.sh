#!/bin/bash
# Builds the dwarfksyms fixtures and, given the real gendwarfksyms, their
# golden outputs.
#
#   testdata/dwarfksyms/build.sh [--gendwarfksyms PATH] [--objects-only]
#                                [--only CONFIG]...
#
# Objects: src/*.c compiled as kbuild compiles C for gendwarfksyms (-O2 -g)
# with clang 15, 19 and 22, as DWARF 5 and DWARF 4 (and once with zlib-
# compressed debug sections), and with clang 19 for other kernel
# architectures (32-bit, big-endian, REL instead of RELA relocations), into
# obj/<config>/, plus a regular and a thin archive of them. --only rebuilds
# just the named configs. The symbol list of each object is what kbuild's
# getexportsymbols pipes into gendwarfksyms: `nm OBJ | sed -n 's/.*
# __export_symbol_\(.*\)/\1/p'`.
#
# Golden outputs (golden/<config>/, see README.md) are the real
# gendwarfksyms' stdout, stderr and --symtypes file for every object and
# flag set in FLAGSETS below, run in obj/<config>/ on relative names.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gdk=""
objects_only=0
only=()
while [ $# -gt 0 ]; do
	case "$1" in
	--gendwarfksyms) gdk=$2; shift 2 ;;
	--objects-only) objects_only=1; shift ;;
	--only) only+=("$2"); shift 2 ;;
	*) echo "usage: $0 [--gendwarfksyms PATH] [--objects-only] [--only CONFIG]..." >&2; exit 2 ;;
	esac
done

# config: compiler and flags[: sources, when not all of them]. extern.c's
# asm-only export is x86/arm64/riscv/loongarch assembly.
configs=(
	"clang15-dwarf5:clang-15:-gdwarf-5"
	"clang15-dwarf4:clang-15:-gdwarf-4"
	"clang19-dwarf5:clang-19:-gdwarf-5"
	"clang19-dwarf4:clang-19:-gdwarf-4"
	"clang22-dwarf5:clang-22:-gdwarf-5"
	"clang22-dwarf4:clang-22:-gdwarf-4"
	"clang19-dwarf5-gz:clang-19:-gdwarf-5 -gz=zlib"
	"clang19-dwarf5-i386:clang-19:--target=i386-linux-gnu -gdwarf-5"
	"clang19-dwarf5-arm:clang-19:--target=armv7a-linux-gnueabihf -gdwarf-5:core kabi"
	"clang19-dwarf5-aarch64:clang-19:--target=aarch64-linux-gnu -gdwarf-5"
	"clang19-dwarf5-riscv64:clang-19:--target=riscv64-linux-gnu -gdwarf-5"
	"clang19-dwarf5-ppc:clang-19:--target=powerpc-linux-gnu -gdwarf-5:core kabi"
	"clang19-dwarf5-ppc64le:clang-19:--target=powerpc64le-linux-gnu -gdwarf-5:core kabi"
	"clang19-dwarf5-s390x:clang-19:--target=s390x-linux-gnu -gdwarf-5:core kabi"
)
all_sources=(core extern kabi)
if [ ${#only[@]} -gt 0 ]; then
	picked=()
	for c in "${configs[@]}"; do
		for o in "${only[@]}"; do [ "${c%%:*}" = "$o" ] && picked+=("$c"); done
	done
	configs=("${picked[@]}")
fi

# parse CONFIG: sets name, cc, flags and sources.
parse() {
	local rest
	name=${1%%:*}; rest=${1#*:}; cc=${rest%%:*}; rest=${rest#*:}
	flags=${rest%%:*}
	if [ "$flags" = "$rest" ]; then sources=("${all_sources[@]}"); else read -ra sources <<<"${rest#*:}"; fi
}

# name:flags (-T is added by the runner when the set writes symtypes)
FLAGSETS=(
	"default:-T"
	"stable:-s -T"
	"dies:--dump-dies"
	"dies-stable:-s --dump-dies"
	"versions:--dump-versions"
	"versions-stable:-s --dump-versions"
	"types:--dump-types -T"
	"debug:-d -s -T"
)

syms() { llvm-nm "$1" | sed -n 's/.* __export_symbol_\(.*\)/\1/p'; }

for c in "${configs[@]}"; do
	parse "$c"
	out=$here/obj/$name
	rm -rf "$out"; mkdir -p "$out"
	for s in "${sources[@]}"; do
		# shellcheck disable=SC2086
		"$cc" -O2 -g $flags -fno-ident -ffile-prefix-map="$here"/= \
			-I"$here"/src/include -c "$here/src/$s.c" -o "$out/$s.o"
		syms "$out/$s.o" > "$out/$s.syms"
	done
	[ ${#sources[@]} = ${#all_sources[@]} ] || continue
	(cd "$out" && llvm-ar rcs all.a core.o extern.o kabi.o &&
		llvm-ar rcsT thin.a core.o extern.o kabi.o &&
		cat core.syms extern.syms kabi.syms > all.syms)
done
[ $objects_only = 1 ] && exit 0
if [ -z "$gdk" ]; then
	echo "objects built; pass --gendwarfksyms PATH to record golden outputs" >&2
	exit 0
fi

# Runs the real gendwarfksyms for one input set: $1 = golden file stem,
# $2 = symbol list, rest = objects.
record() {
	local stem=$1 list=$2; shift 2
	local set name flags sets=("${FLAGSETS[@]}")
	# The compressed build reads the same DWARF, and the other
	# architectures differ in layout and relocations: their plain runs
	# suffice.
	case $gold in */clang19-dwarf5-*) sets=("${FLAGSETS[@]:0:2}") ;; esac
	for set in "${sets[@]}"; do
		name=${set%%:*}; flags=${set#*:}
		local args=()
		for f in $flags; do
			if [ "$f" = -T ]; then args+=(-T "$gold/$stem.$name.symtypes"); else args+=("$f"); fi
		done
		set +e
		"$gdk" "${args[@]}" "$@" < "$list" > "$gold/$stem.$name.stdout" 2> "$gold/$stem.$name.stderr"
		echo $? > "$gold/$stem.$name.rc"
		set -e
	done
}

for c in "${configs[@]}"; do
	parse "$c"
	gold=$here/golden/$name
	rm -rf "$gold"; mkdir -p "$gold"
	cd "$here/obj/$name"
	for s in "${sources[@]}"; do
		record "$s" "$s.syms" "$s.o"
	done
	[ ${#sources[@]} = ${#all_sources[@]} ] || continue
	# All objects in one process (the symbol table is shared between them),
	# which is also the reference for the archives: gendwarfksyms 7.1 crashes
	# on archives, modver treats their members as given one by one.
	record all all.syms core.o extern.o kabi.o
done
"$gdk" --help > "$here/golden/gendwarfksyms-help.txt" 2>&1 || true
echo "golden outputs recorded with $gdk" >&2
