#!/usr/bin/env bash
# modver's main job on the small example module in testdata/symbols:
# compile it to LLVM bitcode as an LTO kernel build does, link the
# composite module's thin archive, and show what kbuild needs from it:
# the symbol table (= llvm-nm), the .mod/.usyms files and the module name.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base
cargo build --release -q
modver=$PWD/target/release/modver
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash testdata/symbols/build.sh "$work" 14 >/dev/null
cd "$work/thin"
mkdir -p drivers/demo
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$modver" symbols -v demo-thin.a
step "$modver" exports --kernel 6.1 demo-thin.a
step "$modver" mod --kernel 5.15 --trim --module demo-thin.a -o drivers/demo/demo.mod \
  drivers/demo/demo_main.o drivers/demo/demo_util.o drivers/demo/demo_data.o
step cat drivers/demo/demo.mod
step "$modver" mod --kernel 6.1 -o drivers/demo/demo.mod \
  drivers/demo/demo_main.o drivers/demo/demo_util.o drivers/demo/demo_data.o
step cat drivers/demo/demo.mod
step "$modver" usyms -o drivers/demo/demo.usyms demo-thin.a
step cat drivers/demo/demo.usyms
step "$modver" modname --kernel 5.15 drivers/demo/demo.lto.o
step "$modver" modname --kernel 5.18 drivers/demo/demo.prelink.o
step "$modver" modname --kernel 6.1 drivers/demo/demo.o
