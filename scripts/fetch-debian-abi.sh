#!/usr/bin/env bash
# Downloads what a Debian kernel ABI ships, for explaining CRC changes
# between two of them (issue 14: `modver explain --btf`, `modver why`):
# linux-image-REL-unsigned (vmlinuz with its BTF and __ksymtab/__kcrctab,
# the modules with split BTF) and linux-headers-REL (Module.symvers), into a
# cache outside git, unpacked.
#
# Usage: scripts/fetch-debian-abi.sh [--dbg] REL...
#   REL    a kernel release, e.g. 6.1.0-47-amd64 6.1.0-50-amd64 (what apt
#          knows: apt-cache pkgnames linux-headers-6.1.0-)
#   --dbg  also linux-image-REL-dbg (vmlinux and modules with full DWARF,
#          about 1 GB per ABI): unpacked to ROOT/dbg/
# Prints, per release, one line REL<TAB>ROOT where ROOT contains
#   vmlinuz  config  System.map  Module.symvers  modules/ (lib/modules/REL)
# Cache: $MODVER_CACHE, else $XDG_CACHE_HOME/modver, else ~/.cache/modver
# (the .deb files are shared with scripts/fetch-debian-modules.sh).
set -euo pipefail

cache="${MODVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modver}"
dbg=0
rels=()
for a in "$@"; do
  case $a in
    --dbg) dbg=1 ;;
    -*) echo "fetch-debian-abi.sh: unknown option $a" >&2; exit 2 ;;
    *) rels+=("$a") ;;
  esac
done
((${#rels[@]})) || { sed -n 's/^# \{0,1\}//; /^Usage:/,/^Prints/p' "$0" | sed '$d' >&2; exit 2; }
mkdir -p "$cache/debs"
# One run at a time (tests call this in parallel; an unpack starts by
# removing a half-done tree).
exec 9>"$cache/.fetch-debian-abi.lock"
flock 9

# The .deb of package $1 in the cache, downloaded if missing.
deb() {
  local f
  f=$(compgen -G "$cache/debs/$1_*.deb" | head -1) || true
  if [[ -z $f ]]; then
    (cd "$cache/debs" && apt-get download -qq -o APT::Sandbox::User=root "$1") >&2 ||
      { echo "fetch-debian-abi.sh: apt cannot download $1 (apt-get update? is the ABI still in the archive?)" >&2; return 2; }
    f=$(compgen -G "$cache/debs/$1_*.deb" | head -1)
  fi
  echo "$f"
}

for rel in "${rels[@]}"; do
  [[ $rel =~ ^[0-9][0-9a-z.+~-]*$ ]] || { echo "fetch-debian-abi.sh: '$rel' is not a kernel release" >&2; exit 2; }
  root="$cache/abi/$rel"
  if [[ ! -f $root/.done ]]; then
    img=$(deb "linux-image-$rel-unsigned") || exit 2
    hdr=$(deb "linux-headers-$rel") || exit 2
    tmp="$root.tmp"
    rm -rf "$tmp" && mkdir -p "$tmp/x"
    dpkg-deb -x "$img" "$tmp/x"
    dpkg-deb -x "$hdr" "$tmp/x"
    for f in vmlinuz config System.map; do
      mv "$tmp/x/boot/$f-$rel" "$tmp/$f" ||
        { echo "fetch-debian-abi.sh: no boot/$f-$rel in $img" >&2; exit 2; }
    done
    mods=""
    for m in "$tmp/x/lib/modules/$rel" "$tmp/x/usr/lib/modules/$rel"; do
      [[ -d $m ]] && mods=$m && break
    done
    [[ -n $mods ]] || { echo "fetch-debian-abi.sh: no lib/modules/$rel in $img" >&2; exit 2; }
    mv "$mods" "$tmp/modules"
    symvers=$(find "$tmp/x/usr/src" -name Module.symvers -print -quit)
    [[ -n $symvers ]] || { echo "fetch-debian-abi.sh: no Module.symvers in $hdr" >&2; exit 2; }
    mv "$symvers" "$tmp/Module.symvers"
    rm -rf "$tmp/x"
    rm -rf "$root" && mv "$tmp" "$root"
    touch "$root/.done"
  fi
  if ((dbg)) && [[ ! -f $root/dbg/.done ]]; then
    d=$(deb "linux-image-$rel-dbg") || exit 2
    rm -rf "$root/dbg" "$root/dbg.tmp" && mkdir -p "$root/dbg.tmp"
    dpkg-deb -x "$d" "$root/dbg.tmp"
    touch "$root/dbg.tmp/.done"
    mv "$root/dbg.tmp" "$root/dbg"
  fi
  printf '%s\t%s\n' "$rel" "$root"
done
