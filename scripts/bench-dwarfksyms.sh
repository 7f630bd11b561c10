#!/usr/bin/env bash
# Benchmark (not a test): modver dwarfksyms vs the real gendwarfksyms.
# Usage: scripts/bench-dwarfksyms.sh --gendwarfksyms PATH [--tree OBJTREE]
#        scripts/bench-dwarfksyms.sh --gendwarfksyms PATH --bitcode --clang CLANG --tree LTOTREE
#   Objects: with --tree, every object of a kernel build tree that exports
#   symbols (what kbuild runs gendwarfksyms on; a .S object's
#   .gendwarfksyms.o); without, the dwarfksyms fixtures
#   (testdata/dwarfksyms/obj/*/*.o).
# Prints, measured in the same run:
#   per object, one process each as kbuild runs it: total wall time of
#     gendwarfksyms and of modver dwarfksyms, and their ratio;
#   all objects in one modver process;
#   peak RSS on the largest object, and that object's size.
# Every object's #SYMVER output must be equal between the two tools.
#
# --bitcode: the objects are LLVM bitcode with debug info (an LTO tree built
# with CONFIG_DEBUG_INFO, or the fixtures' *.bc), which gendwarfksyms cannot
# read. Per object, one process each: modver dwarfksyms reading the
# metadata natively, against what gendwarfksyms needs first, code
# generation (CLANG -c -x ir -O2 --target=TRIPLE, as modver's codegen
# backend and an LTO link do) and then gendwarfksyms on that ELF object;
# CPU time (user + sys, children included) and wall time of both, their
# ratio, and the same for the codegen step alone; then, on the ELF objects
# codegen made, gendwarfksyms and modver one process per object, and
# /bin/true run as often (the cost of starting any process: the floor of
# a per-object ratio). Outputs must be equal.
set -euo pipefail
cd "$(dirname "$0")/.."
gdk="" tree="" bitcode="" clang=""
while [ $# -gt 0 ]; do
	case "$1" in
	--gendwarfksyms) gdk=$2; shift 2 ;;
	--tree) tree=$(cd "$2" && pwd); shift 2 ;;
	--bitcode) bitcode=1; shift ;;
	--clang) clang=$2; shift 2 ;;
	*) echo "usage: $0 --gendwarfksyms PATH [--bitcode --clang CLANG] [--tree OBJTREE]" >&2; exit 2 ;;
	esac
done
if [ -n "$bitcode" ]; then
	command -v "$clang" >/dev/null || { echo "bench-dwarfksyms: --bitcode needs --clang CLANG (the LLVM that made the bitcode)" >&2; exit 2; }
fi
[ -x "$gdk" ] || { echo "bench-dwarfksyms: --gendwarfksyms PATH (a built scripts/gendwarfksyms) is required" >&2; exit 2; }
# MODVER=PATH benchmarks another modver binary (e.g. an older build).
if [ -z "${MODVER:-}" ]; then cargo build --release -q; fi
. scripts/cargo-bin.sh
modver=${MODVER:-$(modver_bin release)}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-dwarfksyms.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "$bitcode" ]; then
	# Bitcode objects that export, and the symbol lists kbuild would pipe in.
	: > "$work/bc.list"
	if [ -n "$tree" ]; then
		while read -r f; do
			c=$(dirname "$f")/.$(basename "$f").cmd
			grep -q "^savedcmd_${f#"$tree"/} := [^ ]*clang" "$c" 2>/dev/null || continue
			[ "$(head -c 2 "$f")" = BC ] || continue
			echo "$f" >> "$work/bc.list"
		done < <(find "$tree" -name '*.o' ! -name '*.mod.o' ! -path "$tree/scripts/*" ! -path "$tree/tools/*" -type f | LC_ALL=C sort)
	else
		for c in testdata/dwarfksyms/src/*.c; do
			o=$work/src-$(basename "$c" .c).o
			"$clang" -O2 -g -flto=thin -c -Itestdata/dwarfksyms/src/include "$c" -o "$o" && echo "$o" >> "$work/bc.list"
		done
	fi
	nm=$(dirname "$(command -v "$clang")")/llvm-nm${clang##*clang}
	[ -x "$nm" ] || nm=$(command -v "llvm-nm${clang##*clang}" || command -v llvm-nm)
	k=0
	while read -r f; do
		"$nm" "$f" 2>/dev/null | sed -n 's/.* __export_symbol_\(.*\)/\1/p' > "$work/s.syms"
		[ -s "$work/s.syms" ] || continue
		k=$((k + 1)); cp "$f" "$work/bc$k.o"; mv "$work/s.syms" "$work/bc$k.syms"
	done < "$work/bc.list"
	[ "$k" -gt 0 ] || { echo "bench-dwarfksyms: no exporting bitcode objects" >&2; exit 2; }
	. scripts/bench-lib.sh
	# Each loop is one bench_run row: one process per object, as kbuild runs it.
	cat > "$work/native.sh" <<SH
for i in \$(seq 1 $k); do '$modver' dwarfksyms --backend native "$work/bc\$i.o" < "$work/bc\$i.syms" > "$work/bc\$i.mv" 2>/dev/null; done
SH
	cat > "$work/codegen.sh" <<SH
for i in \$(seq 1 $k); do
  '$clang' -c -x ir -O2 \$(cat "$work/bc\$i.triple") -o "$work/bc\$i.elf.o" "$work/bc\$i.o"
  '$gdk' "$work/bc\$i.elf.o" < "$work/bc\$i.syms" > "$work/bc\$i.gdk" 2>/dev/null
done
SH
	cat > "$work/codegen-only.sh" <<SH
for i in \$(seq 1 $k); do '$clang' -c -x ir -O2 \$(cat "$work/bc\$i.triple") -o "$work/bc\$i.elf.o" "$work/bc\$i.o"; done
SH
	# The module's triple, as modver's codegen backend passes it; untimed.
	dis=${nm%llvm-nm*}llvm-dis${nm##*llvm-nm}
	for i in $(seq 1 "$k"); do
		t=$("$dis" -o - "$work/bc$i.o" | sed -n 's/^target triple = "\(.*\)"$/\1/p')
		if [ -n "$t" ]; then echo "--target=$t" > "$work/bc$i.triple"; else : > "$work/bc$i.triple"; fi
	done
	# On the ELF objects codegen made (what a non-LTO build would give
	# gendwarfksyms), and the floor of any per-object tool: /bin/true.
	cat > "$work/elf-gdk.sh" <<SH
for i in \$(seq 1 $k); do '$gdk' "$work/bc\$i.elf.o" < "$work/bc\$i.syms" > "$work/bc\$i.egdk" 2>/dev/null; done
SH
	cat > "$work/elf-modver.sh" <<SH
for i in \$(seq 1 $k); do '$modver' dwarfksyms "$work/bc\$i.elf.o" < "$work/bc\$i.syms" > "$work/bc\$i.emv" 2>/dev/null; done
SH
	cat > "$work/floor.sh" <<SH
for i in \$(seq 1 $k); do /bin/true "$work/bc\$i.elf.o" < "$work/bc\$i.syms"; done
SH
	bash "$work/codegen-only.sh"
	for round in $(seq "$bench_rounds"); do
		bench_run "codegen+gendwarfksyms" /dev/null bash "$work/codegen.sh"
		bench_run "codegen-alone" /dev/null bash "$work/codegen-only.sh"
		bench_run "modver-native" /dev/null bash "$work/native.sh"
		bench_run "elf:gendwarfksyms" /dev/null bash "$work/elf-gdk.sh"
		bench_run "elf:modver" /dev/null bash "$work/elf-modver.sh"
		bench_run "elf:/bin/true(floor)" /dev/null bash "$work/floor.sh"
	done
	for i in $(seq 1 "$k"); do
		cmp -s "$work/bc$i.gdk" "$work/bc$i.mv" || { echo "bench-dwarfksyms: outputs differ on bitcode object $i" >&2; exit 1; }
		cmp -s "$work/bc$i.gdk" "$work/bc$i.egdk" && cmp -s "$work/bc$i.gdk" "$work/bc$i.emv" ||
			{ echo "bench-dwarfksyms: ELF outputs differ on object $i" >&2; exit 1; }
	done
	big=$(ls -S "$work"/bc[0-9]*.o | grep -v '\.elf\.o$' | sed -n 1p)
	/usr/bin/time -f "%M" -o "$work/rss.m" "$modver" dwarfksyms --backend native "$big" < "${big%.o}.syms" > /dev/null 2>&1
	echo "$k bitcode objects, $(cat "$work"/bc[0-9]*.syms | wc -l) exported symbols (outputs identical to codegen + gendwarfksyms)"
	bench_table "codegen+gendwarfksyms"
	echo "(elf: rows on the ELF objects codegen made; elf:modver against elf:gendwarfksyms is the ELF per-object ratio)"
	big_elf=$(ls -S "$work"/bc[0-9]*.elf.o | sed -n 1p)
	/usr/bin/time -f "%M" -o "$work/rss.eg" "$gdk" "$big_elf" < "${big_elf%.elf.o}.syms" > /dev/null 2>&1
	/usr/bin/time -f "%M" -o "$work/rss.em" "$modver" dwarfksyms "$big_elf" < "${big_elf%.elf.o}.syms" > /dev/null 2>&1
	echo "largest ELF object $(($(stat -c %s "$big_elf") / 1024)) KiB: peak RSS gendwarfksyms $(cat "$work/rss.eg") KiB, modver $(cat "$work/rss.em") KiB"
	echo "largest bitcode object $(($(stat -c %s "$big") / 1024)) KiB: modver peak RSS $(cat "$work/rss.m") KiB"
	# What a process holds whatever it reads (its code, libraries, stack)
	# is no object's: each tool's peak on the smallest object is its floor,
	# and the growth above it is what the largest object cost.
	small_elf=$(ls -Sr "$work"/bc[0-9]*.elf.o | sed -n 1p)
	/usr/bin/time -f "%M" -o "$work/rss.sg" "$gdk" "$small_elf" < "${small_elf%.elf.o}.syms" > /dev/null 2>&1
	/usr/bin/time -f "%M" -o "$work/rss.sm" "$modver" dwarfksyms "$small_elf" < "${small_elf%.elf.o}.syms" > /dev/null 2>&1
	awk -v size="$(stat -c %s "$big_elf")" -v small="$(stat -c %s "$small_elf")" \
		-v eg="$(cat "$work/rss.eg")" -v em="$(cat "$work/rss.em")" \
		-v sg="$(cat "$work/rss.sg")" -v sm="$(cat "$work/rss.sm")" 'BEGIN {
		printf "peak RSS on the smallest ELF object (%d bytes): gendwarfksyms %d KiB, modver %d KiB\n", small, sg, sm
		printf "growth to the largest: gendwarfksyms %d KiB (%.2fx the object), modver %d KiB (%.2fx the object)\n", eg - sg, (eg - sg) * 1024 / size, em - sm, (em - sm) * 1024 / size
	}'
	exit 0
fi

objs=()
n=0
# add OBJ SYMS_FROM: a copy of OBJ (names fx1.o...) and its symbol list.
add() {
	n=$((n + 1)); cp "$1" "$work/fx$n.o"; objs+=("$work/fx$n.o")
	llvm-nm "$2" | sed -n 's/.* __export_symbol_\(.*\)/\1/p' > "$work/fx$n.syms"
}
if [ -n "$tree" ]; then
	while read -r f; do
		c=$(dirname "$f")/.$(basename "$f").cmd
		grep -q "^savedcmd_${f#"$tree"/} := clang" "$c" 2>/dev/null || continue # compiled, not ld -r
		llvm-nm "$f" 2>/dev/null | grep ' __export_symbol_' >/dev/null || continue
		if [ -f "${f%.o}.gendwarfksyms.o" ]; then add "${f%.o}.gendwarfksyms.o" "$f"; else add "$f" "$f"; fi
	done < <(find "$tree" -name '*.o' ! -name '*.gendwarfksyms.o' ! -name '*.mod.o' ! -path "$tree/scripts/*" ! -path "$tree/tools/*" -type f | LC_ALL=C sort)
else
	for f in testdata/dwarfksyms/obj/*/*.o; do add "$f" "$f"; done
fi
[ "$n" -gt 0 ] || { echo "bench-dwarfksyms: no exporting objects" >&2; exit 2; }

now() { date +%s.%N; }
t0=$(now)
for o in "${objs[@]}"; do "$gdk" "$o" < "${o%.o}.syms" > "${o%.o}.gdk" 2>/dev/null; done
t1=$(now)
for o in "${objs[@]}"; do "$modver" dwarfksyms "$o" < "${o%.o}.syms" > "${o%.o}.mv" 2>/dev/null; done
t2=$(now)
for o in "${objs[@]}"; do
	cmp -s "${o%.o}.gdk" "${o%.o}.mv" || { echo "bench-dwarfksyms: outputs differ on $o" >&2; exit 1; }
done
# All in one process (one symbol table, as gendwarfksyms keeps it).
cat "$work"/fx*.syms > "$work/all.syms"
t3=$(now)
"$modver" dwarfksyms "$work"/fx*.o < "$work/all.syms" > "$work/all.mv" 2>/dev/null
t4=$(now)
t5=$(now)
"$gdk" "$work"/fx*.o < "$work/all.syms" > "$work/all.gdk" 2>/dev/null
t6=$(now)
cmp -s "$work/all.gdk" "$work/all.mv" || { echo "bench-dwarfksyms: one-process outputs differ" >&2; exit 1; }

big=$(ls -S "${objs[@]}" | sed -n 1p) # sed reads it all: no SIGPIPE under pipefail
/usr/bin/time -f "%M" -o "$work/rss.g" "$gdk" "$big" < "${big%.o}.syms" > /dev/null 2>&1
/usr/bin/time -f "%M" -o "$work/rss.m" "$modver" dwarfksyms "$big" < "${big%.o}.syms" > /dev/null 2>&1
nsym=$(cat "$work"/fx*.syms | wc -l)
awk -v n="${#objs[@]}" -v nsym="$nsym" -v g="$(echo "$t1 - $t0" | bc)" -v m="$(echo "$t2 - $t1" | bc)" \
	-v m1="$(echo "$t4 - $t3" | bc)" -v g1="$(echo "$t6 - $t5" | bc)" \
	-v rg="$(cat "$work/rss.g")" -v rm="$(cat "$work/rss.m")" -v size="$(stat -c %s "$big")" 'BEGIN {
	printf "%d objects, %d exported symbols (outputs identical)\n", n, nsym
	printf "%-40s %10s %10s\n", "run", "seconds", "ratio"
	printf "%-40s %10.3f %10s\n", "gendwarfksyms, one process per object", g, "1.00"
	printf "%-40s %10.3f %9.2fx\n", "modver dwarfksyms, one per object", m, g / m
	printf "%-40s %10.3f %9.2fx\n", "gendwarfksyms, all objects at once", g1, "1.00"
	printf "%-40s %10.3f %9.2fx\n", "modver, all objects at once", m1, g1 / m1
	printf "largest object %d KiB: peak RSS gendwarfksyms %d KiB, modver %d KiB (%.2fx the object)\n", size / 1024, rg, rm, rm * 1024 / size
}'
