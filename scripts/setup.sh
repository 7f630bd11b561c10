#!/usr/bin/env bash
# Installs the Debian 12 packages modver's examples, tests and benchmarks use.
# Usage: scripts/setup.sh [GROUP...]   (default: base)
#   base     clang/lld/llvm 14 and 19 (bitcode fixtures, llvm-nm oracle),
#            liblzma-dev (modver links liblzma for .ko.xz)
#   kbuild   real genksyms/modpost from linux-kbuild-6.1 and 6.12 (the newest
#            6.12 point release the archive has), kmod, pahole (BTF from
#            DWARF, as link-vmlinux.sh makes it) and bpftool (BTF oracle)
#   llvm-all clang/llvm 13, 15, 16, 22 as well (native bitcode reader tests)
#   kernel   linux-source-6.1/6.12 and what building/booting a kernel needs
#   rust     Debian's rustc-web (1.96, /usr/bin/rustc) with its library
#            sources (rust-web-src): the Rust fixture of the test suite
#   rust-kernel
#            what a kernel's CONFIG_RUST needs on top of rust:
#            libclang-19-dev for bindgen, libdw-dev (the kernel builds
#            scripts/gendwarfksyms with it), and bindgen-cli from crates.io
#            (cargo install, when no bindgen >= BINDGEN_MIN is on PATH; CI's
#            test run does not build it)
# Idempotent: already-installed packages are skipped quickly.
set -euo pipefail

declare -A groups=(
  [base]="clang-14 lld-14 llvm-14 clang-19 lld-19 llvm-19 make gawk time liblzma-dev pkg-config"
  [kbuild]="linux-kbuild-6.1 linux-kbuild-6.12.* kmod xz-utils zstd pahole bpftool"
  [llvm-all]="clang-13 llvm-13 lld-13 clang-15 llvm-15 lld-15 clang-16 llvm-16 lld-16 clang-22 llvm-22 lld-22"
  [kernel]="linux-source-6.1 linux-source-6.12 bc bison flex libelf-dev libssl-dev cpio busybox-static qemu-system-x86 kmod xz-utils zstd bzip2 lz4 rsync python3"
  [rust]="rustc-web rust-web-src"
  [rust-kernel]="rustc-web rust-web-src libclang-19-dev libdw-dev"
)

SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() { ((updated)) || { $SUDO apt-get update -qq; updated=1; }; }

# A name ending in ".*" stands for the newest package of that prefix: Debian
# puts the point release into linux-kbuild-6.12's name and drops old ones.
# An installed one is taken as it is; otherwise the archive's newest.
resolve() {
  local p=$1 prefix=${1%.\*} name
  [[ $p == *'.*' ]] || { echo "$p"; return; }
  name=$(dpkg-query -W -f='${Package} ${Status}\n' "$prefix.*" 2>/dev/null |
    awk '/install ok installed/ {print $1}' | sort -V | tail -n1)
  if [[ -z $name ]]; then
    name=$(apt-cache pkgnames "$prefix." | sort -V | tail -n1)
    [[ -n $name ]] || { apt_update; name=$(apt-cache pkgnames "$prefix." | sort -V | tail -n1); }
  fi
  [[ -n $name ]] || { echo "setup.sh: no package named $prefix.* in the archive" >&2; exit 2; }
  echo "$name"
}

want=()
for g in "${@:-base}"; do
  [[ -n "${groups[$g]+x}" ]] || { echo "setup.sh: unknown group '$g' (base kbuild llvm-all kernel rust rust-kernel)" >&2; exit 2; }
  read -ra pk <<<"${groups[$g]}"
  for p in "${pk[@]}"; do want+=("$(resolve "$p")") || exit 2; done
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt_update
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "setup.sh: cargo (Rust stable) is required" >&2; exit 2; }

# bindgen is no Debian 12 package: the rust-kernel group installs bindgen-cli with
# cargo (into ~/.cargo/bin) unless a new enough one is on PATH. 0.71.1 is
# 7.1's scripts/min-tool-version.sh minimum.
BINDGEN_MIN=${BINDGEN_MIN:-0.71.1}
for g in "${@:-base}"; do
  [[ $g == rust-kernel ]] || continue
  # (No bindgen yet is the usual case: pipefail must not end the script.)
  have=$( (bindgen --version 2>/dev/null || true) | awk '{print $2}')
  if [[ -z $have || $(printf '%s\n%s\n' "$BINDGEN_MIN" "$have" | sort -V | head -n1) != "$BINDGEN_MIN" ]]; then
    cargo install --locked bindgen-cli
  fi
done
