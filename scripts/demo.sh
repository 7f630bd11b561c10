#!/usr/bin/env bash
# What modver is for, in two minutes, on the example module of
# testdata/symbols (three C files, one of them data only) and a second
# module that uses its exports (testdata/symbols/demo_user.c). Everything
# is built as an LTO kernel build does (clang -flto=thin, ld.lld -r), with
# the real genksyms and modpost of Debian's linux-kbuild-6.1:
#   1. the module's symbol table and exports (what kbuild's llvm-nm
#      pipelines read), 2. the CRCs of its exports from genksyms' symtypes,
#   3. its .mod, 4. a check of the second module against Module.symvers,
#   5. a planted change: the check catches the stale CRC, explain names
#      the changed member.
# Environment: MODVER_DEMO_LLVM (default: the newest installed clang-N).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base kbuild
cargo build --release -q
. scripts/cargo-bin.sh
modver=$(modver_bin release)
src=$PWD/testdata/symbols
kbuild=/usr/lib/linux-kbuild-6.1/scripts
v=${MODVER_DEMO_LLVM:-$(compgen -c clang- | sed -n 's/^clang-\([0-9][0-9]*\)$/\1/p' | sort -n | tail -n1)}
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { # one paragraph of narration, a line per argument
  printf '\n'
  printf '\033[1;34m# %s\033[0m\n' "$@"
}
run() {
  printf '\033[1m$ %s\033[0m\n' "$*"
  "$@"
}
cflags=(-O2 -fno-common -fno-pic -ffunction-sections -fdata-sections -I"$src")
units=(demo_main demo_util demo_data demo_modinfo)
mod=drivers/demo

# genksyms over the preprocessed unit, as kbuild's gen_symversions with
# KBUILD_SYMTYPES=1: DIR/UNIT.symtypes, and the #SYMVER lines appended to
# the object's .cmd file (after kbuild's command line), where modpost
# reads them (5.19+).
genksyms() { # genksyms DIR UNIT [-D...]
  local d=$1 u=$2
  shift 2
  "clang-$v" -E -P -D__GENKSYMS__ "$@" -I"$src" "$src/$u.c" |
    "$kbuild/genksyms/genksyms" -T "$d/$u.symtypes" >"$d/$u.symver"
  { echo "cmd_$mod/$u.o := clang-$v -flto=thin ... $u.c"; cat "$d/$u.symver"; } >"$mod/.$u.o.cmd"
}
# modpost over modules (LTO-linked ELF objects + their .mod files), -w:
# there is no vmlinux here, so printk & co. stay unresolved.
modpost() { # modpost OUT.symvers MODULE.o...
  local out=$1
  shift
  "$kbuild/mod/modpost" -m -w -o "$out" "$@" 2>modpost.log || {
    cat modpost.log >&2
    return 1
  }
}

objs=("${units[@]/#/$mod/}")
objs=("${objs[@]/%/.o}")
mkdir -p "$mod" v1 v2
for u in "${units[@]}"; do
  "clang-$v" "${cflags[@]}" -flto=thin -c "$src/$u.c" -o "$mod/$u.o"
  echo "cmd_$mod/$u.o := clang-$v -flto=thin ... $u.c" >"$mod/.$u.o.cmd" # as kbuild records it
done
"clang-$v" "${cflags[@]}" -flto=thin -c "$src/demo_user.c" -o demo_user.bc.o

say "An LTO module is LLVM bitcode. kbuild reads its symbols with llvm-nm pipelines;" \
  "modver reads the symbol table LLVM stores in the bitcode, printing what llvm-nm prints:"
run "$modver" symbols "$mod/demo_util.o"
cmp -s <("$modver" symbols "$mod"/*.o) <("llvm-nm-$v" "$mod"/*.o) &&
  echo "(identical to llvm-nm-$v on all ${#units[@]} objects)"

say "Which objects export symbols (genksyms runs only on those):"
run "$modver" exports --kernel 6.1 "$mod"/demo_main.o "$mod"/demo_util.o "$mod"/demo_data.o

for u in demo_main demo_util; do genksyms v1 "$u"; done
say "genksyms -T wrote the types behind each export (KBUILD_SYMTYPES); the CRC" \
  "modpost puts into Module.symvers is computed from them:"
run cat v1/demo_main.symtypes
run "$modver" crc --kernel 6.1 v1/demo_main.symtypes v1/demo_util.symtypes
cmp -s <("$modver" crc --kernel 6.1 v1/demo_main.symtypes v1/demo_util.symtypes) <(cat v1/demo_main.symver v1/demo_util.symver) &&
  echo "(the same lines genksyms printed)"

say "The module's .mod names its member objects (kbuild's cmd_mod):"
run "$modver" mod --kernel 6.1 -o "$mod/demo.mod" "${objs[@]}"
run cat "$mod/demo.mod"

# The LTO link of each module (in place, as 5.19+ kbuild does), then the
# real modpost: Module.symvers, and demo_user's __versions in its .mod.c.
"ld.lld-$v" -r -o "$mod/demo.o" "${objs[@]}"
"ld.lld-$v" -r -o demo_user.o demo_user.bc.o
"$modver" mod --kernel 6.1 -o demo_user.mod demo_user.o
: >.demo_user.o.cmd
modpost Module.symvers "$mod/demo.o" demo_user.o
{
  echo 'struct modversion_info { unsigned long crc; char name[64 - sizeof(unsigned long)]; };'
  sed -n '/^static const struct modversion_info ____versions\[\]/,/^};/p' demo_user.mod.c |
    sed 's/^__used __section("__versions")/__attribute__((used, section("__versions")))/'
} >demo_user.versions.c
"clang-$v" -O2 -fno-pic -c demo_user.versions.c -o demo_user.versions.o
"ld.lld-$v" -r -o demo_user.ko demo_user.o demo_user.versions.o

say "modpost wrote the CRCs into Module.symvers; demo_user.ko, built against it," \
  "records each import with its CRC in __versions, which the kernel checks at insmod:"
run cat Module.symvers
run "$modver" dump-modversions demo_user.ko
run "$modver" check --symvers Module.symvers demo_user.ko

say "Now a member is added to struct demo_dev (demo.h, -DDEMO_V2) and only the demo" \
  "module is rebuilt. The kernel would refuse demo_user.ko; modver check says so first:"
for u in demo_main demo_util; do genksyms v2 "$u" -DDEMO_V2; done
modpost v2/Module.symvers "$mod/demo.o"
run "$modver" check --symvers v2/Module.symvers demo_user.ko || echo "(exit status $?)"

say "And why: explain compares the symtypes of the two builds:"
run "$modver" explain v1 v2 || true
