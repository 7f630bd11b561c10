# Sourced by scripts/e2e-kernel.sh: module load order from kmod, and the
# QEMU boot that loads every module.

# stage_modules OUTDIR [SYMVERS]: installs the modules of OUTDIR as
# `make modules_install` lays them out (OUTDIR/modver-e2e-stage/lib/modules/
# KREL/kernel/...) and runs kmod's depmod on them, with -e: every import
# resolved against System.map and the other modules (and, given SYMVERS,
# its CRC compared). Sets STAGE and KREL; depmod's warnings are in
# $STAGE/depmod.log.
stage_modules() {
  local out=$1 symvers=${2:-} m d f
  KREL=$(cat "$out/include/config/kernel.release") || return 1
  STAGE=$out/modver-e2e-stage
  d=$STAGE/lib/modules/$KREL
  rm -rf "$STAGE" && mkdir -p "$d/kernel" || return 1
  for m in $(modules_ko "$out"); do
    mkdir -p "$d/kernel/$(dirname "$m")" && cp "$out/$m" "$d/kernel/$m" || return 1
  done
  modules_ko "$out" | sed 's|^|kernel/|' >"$d/modules.order"
  for f in modules.builtin modules.builtin.modinfo; do
    if [[ -f $out/$f ]]; then cp "$out/$f" "$d/"; else : >"$d/$f"; fi
  done
  /sbin/depmod -b "$STAGE" -e -F "$out/System.map" ${symvers:+-E "$symvers"} "$KREL" 2>"$STAGE/depmod.log"
}

# depmod_clean OUTDIR: kmod's depmod -e, given OUTDIR's Module.symvers,
# finds no import unresolved or with another CRC.
depmod_clean() {
  stage_modules "$1" "$1/Module.symvers" || return 1
  ! grep -E 'unknown symbol|disagrees about version|ERROR' "$STAGE/depmod.log" >&2
}

# load_order OUTDIR: module paths (relative to OUTDIR), in the order
# modprobe would insert them when asked for each module of modules.order:
# `modprobe --show-depends` on the staged tree (hard dependencies from
# modules.dep, softdep pre:/post: resolved through aliases, cycles such
# as crypto_algapi's softdep on cryptomgr broken as modprobe breaks them).
# Each module is then moved after its modules.dep dependencies, since a
# softdep cycle can put a module before one it imports from.
load_order() {
  stage_modules "$1" || return 1
  local d=$STAGE/lib/modules/$KREL m
  for m in $(modules_ko "$1"); do
    /sbin/modprobe -d "$STAGE" -S "$KREL" --show-depends "$(basename "$m" .ko)" || {
      echo "  modprobe --show-depends $(basename "$m" .ko) failed" >&2
      return 1
    }
  done | awk -v p="$d/" '$1 == "insmod" { sub("^" p, "", $2); if (!seen[$2]++) print $2 }' |
    awk -v dep="$d/modules.dep" '
      BEGIN { while ((getline l < dep) > 0) { i = index(l, ":"); deps[substr(l, 1, i - 1)] = substr(l, i + 1) } }
      function emit(m,   n, t, i) {
        if (m in done) return
        done[m] = 1
        n = split(deps[m], t, " ")
        for (i = n; i >= 1; i--) emit(t[i])   # modprobe loads the last one first
        print m
      }
      { emit($0) }' | sed 's|^kernel/||'
}

# boot OUTDIR LOG: boots OUTDIR's bzImage with an initramfs that insmods
# every module of OUTDIR in load_order.
boot() {
  local out=$1 logf=$2 root
  root=$(mktemp -d) || return 1
  mkdir -p "$root"/{bin,dev,proc,sys,lib/modules} || return 1
  cp /bin/busybox "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
  load_order "$out" >"$root/modules.list" || return 1
  [[ $(wc -l <"$root/modules.list") -eq $(wc -l <"$out/modules.order") ]] || {
    echo "  load order of $out lists $(wc -l <"$root/modules.list") of $(wc -l <"$out/modules.order") modules" >&2
    return 1
  }
  while read -r m; do cp "$out/$m" "$root/lib/modules/"; done <"$root/modules.list"
  cat >"$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo "MODVER-E2E: booted $(/bin/busybox uname -r)"
while read -r m; do
  ko=/lib/modules/$(/bin/busybox basename "$m")
  if /bin/busybox insmod "$ko"; then echo "MODVER-E2E: loaded $m"; else echo "MODVER-E2E: FAILED $m"; fi
done </modules.list
echo "MODVER-E2E: done"
/bin/busybox reboot -f
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out/modver-e2e-initramfs.cpio" || return 1
  rm -rf "$root"
  timeout 300 qemu-system-x86_64 -accel tcg -m 256M -no-reboot -nographic \
    -kernel "$out/arch/x86/boot/bzImage" -initrd "$out/modver-e2e-initramfs.cpio" \
    -append "console=ttyS0 panic=-1 loglevel=7 no_timer_check" </dev/null >"$logf" 2>&1
  tr -d '\r' <"$logf" >"$logf.tmp" && mv "$logf.tmp" "$logf"
}

boot_ok() { # boot_ok OUTDIR LOG: every module loaded, no version complaint
  local out=$1 logf=$2 n
  n=$(wc -l <"$out/modules.order")
  grep -aq '^MODVER-E2E: done' "$logf" || {
    echo "  the initramfs did not finish; tail of $logf:" >&2
    tail -20 "$logf" >&2
    return 1
  }
  ! grep -aE 'disagrees about version|no symbol version|MODVER-E2E: FAILED' "$logf" >&2 &&
    [[ $(grep -ac '^MODVER-E2E: loaded ' "$logf") -eq $n ]]
}

boot_step() { # boot_step NAME OUTDIR: kmod's view of the modules, then the boot
  local name=$1 out=$2
  log "booting the $name kernel (log: $W/boot-$name.log)"
  boot "$out" "$W/boot-$name.log"
  check "$name: kmod's depmod -e -E Module.symvers: every import of the $(wc -l <"$out/modules.order") modules resolves, vmlinux ones with their CRC" \
    depmod_clean "$out"
  check "$name: all $(wc -l <"$out/modules.order") modules load in kmod's order under QEMU" boot_ok "$out" "$W/boot-$name.log"
}
