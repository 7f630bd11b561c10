#!/bin/bash
# Builds the Rust dwarfksyms fixture and, given the real gendwarfksyms, its
# golden outputs.
#
#   testdata/rust/build.sh [--gendwarfksyms PATH] [--out DIR]
#
# kmod.rs is compiled as kbuild compiles a Rust object (7.1's top-level
# Makefile KBUILD_RUSTFLAGS, rust/Makefile and scripts/Makefile.debug:
# -Cpanic=abort -Cembed-bitcode=n -Clto=n -Cforce-unwind-tables=n
# -Ccodegen-units=1 -Csymbol-mangling-version=v0 -Crelocation-model=static
# -Copt-level=2 -Cdebuginfo=2 -Zdwarf-version=N, --emit=obj) by $RUSTC
# (default /usr/bin/rustc: Debian's rustc-web, scripts/setup.sh rust), into
# OUT/<config>/kmod.o (default OUT: obj/ beside this script):
#   rustc-dwarf5, rustc-dwarf4  ELF with DWARF 5 / 4 (what the kernel links)
#   rustc-lto-dwarf5            -Clinker-plugin-lto: LLVM bitcode (what
#                               CONFIG_RUST_INLINE_HELPERS makes of a crate),
#                               plus kmod.codegen.o, the bitcode compiled
#                               back to ELF by the clang of rustc's LLVM
# kmod.syms is rust/Makefile's rust_exports list of the object:
#   nm -p --defined-only OBJ | awk '$2~/(T|R|D|B)/ && $3!~/__(pfx|cfi|odr_asan)/'
# OUT/rustc-version.txt is `rustc -vV` (the crate hash in every v0 name
# depends on it).
#
# Golden outputs (golden/<config>/kmod.<set>.{stdout,stderr,symtypes,rc})
# are the real gendwarfksyms' on kmod.o (on kmod.codegen.o for the
# bitcode config), for the flag sets of testdata/dwarfksyms/build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gdk="" out=$here/obj
while [ $# -gt 0 ]; do
	case "$1" in
	--gendwarfksyms) gdk=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: $0 [--gendwarfksyms PATH] [--out DIR]" >&2; exit 2 ;;
	esac
done
rustc=${RUSTC:-/usr/bin/rustc}
command -v "$rustc" >/dev/null || { echo "build.sh: no $rustc: run scripts/setup.sh rust" >&2; exit 2; }
llvm=$("$rustc" -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
nm=llvm-nm-$llvm clang=clang-$llvm
for t in "$nm" "$clang"; do
	command -v "$t" >/dev/null || { echo "build.sh: $t (rustc's LLVM) missing: run scripts/setup.sh llvm-all" >&2; exit 2; }
done
flags=(--edition 2021 --crate-type rlib --crate-name kmod -Cpanic=abort
	-Cforce-unwind-tables=n -Ccodegen-units=1 -Csymbol-mangling-version=v0
	-Crelocation-model=static -Copt-level=2 -Cdebuginfo=2
	--remap-path-prefix="$here"=)
configs=(
	"rustc-dwarf5:-Cembed-bitcode=n -Clto=n -Zdwarf-version=5"
	"rustc-dwarf4:-Cembed-bitcode=n -Clto=n -Zdwarf-version=4"
	"rustc-lto-dwarf5:-Clinker-plugin-lto -Zdwarf-version=5"
)
mkdir -p "$out"
"$rustc" -vV > "$out/rustc-version.txt"
for c in "${configs[@]}"; do
	name=${c%%:*} extra=${c#*:}
	rm -rf "${out:?}/$name"; mkdir -p "$out/$name"
	# shellcheck disable=SC2086
	RUSTC_BOOTSTRAP=1 "$rustc" "${flags[@]}" $extra --emit=obj="$out/$name/kmod.o" "$here/kmod.rs"
	"$nm" -p --defined-only "$out/$name/kmod.o" |
		awk '$2~/(T|R|D|B)/ && $3!~/__(pfx|cfi|odr_asan)/ { print $3 }' > "$out/$name/kmod.syms"
	case $name in *lto*)
		"$clang" -Wno-override-module -c -x ir -o "$out/$name/kmod.codegen.o" "$out/$name/kmod.o" ;;
	esac
done
[ -n "$gdk" ] || exit 0

FLAGSETS=("default:-T" "stable:-s -T" "dies:--dump-dies" "dies-stable:-s --dump-dies"
	"versions:--dump-versions" "versions-stable:-s --dump-versions"
	"types:--dump-types -T" "debug:-d -s -T")
for c in "${configs[@]}"; do
	name=${c%%:*} gold=$here/golden/${c%%:*}
	rm -rf "$gold"; mkdir -p "$gold"
	obj=kmod.o; case $name in *lto*) obj=kmod.codegen.o ;; esac
	cd "$out/$name"
	for set in "${FLAGSETS[@]}"; do
		sn=${set%%:*} args=()
		for f in ${set#*:}; do
			if [ "$f" = -T ]; then args+=(-T "$gold/kmod.$sn.symtypes"); else args+=("$f"); fi
		done
		set +e
		"$gdk" "${args[@]}" "$obj" < kmod.syms > "$gold/kmod.$sn.stdout" 2> "$gold/kmod.$sn.stderr"
		echo $? > "$gold/kmod.$sn.rc"
		set -e
	done
done
echo "golden outputs recorded with $gdk" >&2
