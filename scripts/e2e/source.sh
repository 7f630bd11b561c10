# Sourced by scripts/e2e-kernel.sh: the kernel tree and the toolchain.

# tree_version DIR: VERSION.PATCHLEVEL.SUBLEVEL of a tree's top Makefile.
tree_version() {
  awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
    $1 == "SUBLEVEL" { s = $2 } END { if (v != "" && p != "") print v "." p "." (s == "" ? 0 : s) }' "$1/Makefile"
}

# unpack_tarball TARBALL WORKDIR: unpacks once into WORKDIR/<top dir of the
# tarball> and prints that directory. A tree is complete only once renamed
# into place, so an interrupted unpack is redone.
unpack_tarball() {
  local tb=$1 w=$2 top
  top=$(tar -tf "$tb" 2>/dev/null | head -n1 | cut -d/ -f1)
  [[ -n $top && $top != . && $top != .. ]] || {
    echo "e2e: $tb: not a tarball with one top directory" >&2
    return 1
  }
  if [[ ! -f $w/$top/Makefile ]]; then
    log "unpacking $tb into $w"
    rm -rf "$w/$top.tmp" && mkdir -p "$w/$top.tmp" &&
      tar -xf "$tb" -C "$w/$top.tmp" &&
      mv "$w/$top.tmp/$top" "$w/$top" && rmdir "$w/$top.tmp" || return 1
  fi
  echo "$w/$top"
}

# llvm_complete N: clang-N and the LLVM tools kbuild's LLVM=-N uses exist.
llvm_complete() {
  local t
  for t in clang ld.lld llvm-nm llvm-ar llvm-objcopy llvm-strip llvm-readelf; do
    command -v "$t-$1" >/dev/null || return 1
  done
}

# min_llvm DIR: the major LLVM version the tree requires
# (scripts/min-tool-version.sh llvm; 0 if the tree has no such script).
min_llvm() {
  local v
  v=$(SRCARCH=x86 ARCH=x86_64 sh "$1/scripts/min-tool-version.sh" llvm 2>/dev/null) || v=0
  echo "${v%%.*}"
}

# default_llvm DIR: the oldest installed LLVM the tree accepts.
default_llvm() {
  local min n
  min=$(min_llvm "$1")
  for n in $(compgen -c clang- | sed -n 's/^clang-\([0-9][0-9]*\)$/\1/p' | sort -n -u); do
    ((n >= min)) && llvm_complete "$n" && {
      echo "$n"
      return 0
    }
  done
  return 1
}
