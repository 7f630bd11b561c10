#!/usr/bin/env bash
# Downloads Debian kernel module packages and the matching Module.symvers
# (from linux-headers-*-amd64) into a cache outside git, and unpacks them.
# Used by tests/it/check.rs and scripts/bench-check.sh.
#
# Usage: scripts/fetch-debian-modules.sh [6.1|6.12|6.12-zst]...   (default: 6.1 6.12)
# Prints, per series, one line: SERIES<TAB>ROOT where ROOT contains
#   modules/   the unpacked lib/modules/KVER/kernel tree (.ko or .ko.xz)
#   Module.symvers
# 6.12-zst is 6.12 with every module recompressed as Makefile.modinst's
# cmd_zstd does for CONFIG_MODULE_COMPRESS_ZSTD (`zstd --rm -f -q`): Debian
# ships no zstd-compressed modules.
# Cache: $MODVER_CACHE, else $XDG_CACHE_HOME/modver, else ~/.cache/modver.
# The newest ABI apt knows is used unless MODVER_DEB_61 / MODVER_DEB_612 name
# a kernel release (e.g. 6.1.0-56-amd64, 6.12.117+deb12-amd64).
set -euo pipefail

cache="${MODVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modver}"
mkdir -p "$cache/debs"
# One run at a time: tests call this in parallel (6.12 and 6.12-zst both
# unpack 6.12), and an unpack starts by removing a half-done tree.
exec 9>"$cache/.fetch-debian-modules.lock"
flock 9

newest() { # regex for the release part of linux-image-REL-unsigned
  apt-cache search --names-only "^linux-image-$1-unsigned\$" 2>/dev/null |
    sed -n 's/^linux-image-\(.*\)-unsigned .*/\1/p' | sort -V | tail -1
}

fetch_series() {
  local series=$1 rel
  case $series in
    6.1) rel="${MODVER_DEB_61:-$(newest '6\.1\.0-[0-9]+-amd64')}" ;;
    6.12) rel="${MODVER_DEB_612:-$(newest '6\.12\.[0-9]+\+deb12-amd64')}" ;;
    *) echo "fetch-debian-modules.sh: unknown series '$series' (6.1 6.12)" >&2; return 2 ;;
  esac
  if [[ -z "$rel" ]]; then
    echo "fetch-debian-modules.sh: apt knows no linux-image-$series*-amd64-unsigned (run apt-get update)" >&2
    return 2
  fi
  local root="$cache/$rel"
  if [[ ! -f "$root/.done" ]]; then
    rm -rf "$root"; mkdir -p "$root/x"
    (cd "$cache/debs" &&
      { ls linux-image-"$rel"-unsigned_*.deb >/dev/null 2>&1 || apt-get download -qq -o APT::Sandbox::User=root "linux-image-$rel-unsigned"; } &&
      { ls linux-headers-"$rel"_*.deb >/dev/null 2>&1 || apt-get download -qq -o APT::Sandbox::User=root "linux-headers-$rel"; }) >&2
    dpkg-deb -x "$(ls "$cache"/debs/linux-image-"$rel"-unsigned_*.deb | head -1)" "$root/x"
    dpkg-deb -x "$(ls "$cache"/debs/linux-headers-"$rel"_*.deb | head -1)" "$root/x"
    local kdir symvers
    kdir=$(ls -d "$root"/x/lib/modules/*/kernel 2>/dev/null || ls -d "$root"/x/usr/lib/modules/*/kernel)
    symvers=$(find "$root/x/usr/src" -name Module.symvers | head -1)
    [[ -n "$symvers" ]] || { echo "fetch-debian-modules.sh: no Module.symvers in linux-headers-$rel" >&2; return 2; }
    mv "$kdir" "$root/modules"
    mv "$symvers" "$root/Module.symvers"
    rm -rf "$root/x"
    touch "$root/.done"
  fi
  printf '%s\t%s\n' "$series" "$root"
}

# 6.12's modules, each decompressed and recompressed by zstd.
fetch_zst() {
  local xzroot root
  xzroot=$(fetch_series 6.12 | cut -f2)
  root="$xzroot-zst"
  if [[ ! -f "$root/.done" ]]; then
    rm -rf "$root"; mkdir -p "$root"
    cp "$xzroot/Module.symvers" "$root/"
    (cd "$xzroot" && find modules -name '*.ko.xz' -printf '%h\n' | sort -u) |
      while read -r d; do mkdir -p "$root/$d"; done
    (cd "$xzroot" && find modules -name '*.ko.xz' -print0) |
      xargs -0 -P "$(nproc)" -n 64 sh -c 'to=$1; shift; for f; do k=${f%.xz}; xz -dc "$0/$f" > "$to/$k" && zstd --rm -f -q "$to/$k"; done' "$xzroot" "$root"
    touch "$root/.done"
  fi
  printf '%s\t%s\n' 6.12-zst "$root"
}

for s in "${@:-6.1 6.12}"; do
  for t in $s; do
    if [[ $t == 6.12-zst ]]; then fetch_zst; else fetch_series "$t"; fi
  done
done
