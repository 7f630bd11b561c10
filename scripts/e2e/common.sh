# Sourced by scripts/e2e-kernel.sh (and scripts/test.sh for e2e_workdir):
# result counting, logging, the work-dir default, step selection.

# e2e_workdir NAME: where the e2e of kernel NAME (6.1, 6.12, ...) keeps
# the unpacked tree and its O= output dirs: $MODVER_E2E_DIR/kernel-build-NAME
# if MODVER_E2E_DIR is set, else /work/kernel-build-NAME when /work is
# writable, else $TMPDIR/modver-kernel-build-NAME. The one definition of
# this default (scripts/test.sh and the benchmarks use it too).
e2e_workdir() {
  if [[ -n ${MODVER_E2E_DIR:-} ]]; then
    echo "$MODVER_E2E_DIR/kernel-build-$1"
  elif [[ -w /work ]]; then
    echo "/work/kernel-build-$1"
  else
    echo "${TMPDIR:-/tmp}/modver-kernel-build-$1"
  fi
}

passed=0
failed=0
ok() {
  echo "ok   - $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL - $*"
  failed=$((failed + 1))
}
check() { # check DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
  echo "e2e: $passed passed, $failed failed"
  ((failed == 0))
  exit $?
}
die() { # die MESSAGE: a failed precondition ends the run
  fail "$*"
  finish
}
step() { [[ " $STEPS " == *" $1 "* ]]; }
log() { echo "e2e: $*" >&2; }

list_rel() { # list_rel DIR PATTERN: relative paths of files, sorted
  (cd "$1" && find . -name "$2" -type f ! -path './source/*' ! -path './modver-e2e-*' |
    sed 's|^\./||' | LC_ALL=C sort)
}

# modules_ko OUTDIR: the .ko paths of modules.order (6.1 lists foo.ko,
# later kernels foo.o).
modules_ko() { sed 's/\.o$/.ko/' "$1/modules.order"; }

# __versions of a module as `0x%08x\tname` lines.
dump_versions() { "$MODVER" dump-modversions "$1"; }
