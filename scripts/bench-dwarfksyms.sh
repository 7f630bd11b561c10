#!/usr/bin/env bash
# Benchmark (not a test): modver dwarfksyms vs the real gendwarfksyms.
# Usage: scripts/bench-dwarfksyms.sh --gendwarfksyms PATH [--tree OBJTREE]
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
set -euo pipefail
cd "$(dirname "$0")/.."
gdk="" tree=""
while [ $# -gt 0 ]; do
	case "$1" in
	--gendwarfksyms) gdk=$2; shift 2 ;;
	--tree) tree=$(cd "$2" && pwd); shift 2 ;;
	*) echo "usage: $0 --gendwarfksyms PATH [--tree OBJTREE]" >&2; exit 2 ;;
	esac
done
[ -x "$gdk" ] || { echo "bench-dwarfksyms: --gendwarfksyms PATH (a built scripts/gendwarfksyms) is required" >&2; exit 2; }
# MODVER=PATH benchmarks another modver binary (e.g. an older build).
if [ -z "${MODVER:-}" ]; then cargo build --release -q; fi
modver=${MODVER:-$PWD/target/release/modver}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-dwarfksyms.XXXXXX")
trap 'rm -rf "$work"' EXIT

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
