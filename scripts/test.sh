#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian 12), checks
# formatting and lints, runs every cargo test (the differential tests
# against llvm-nm, genksyms, modprobe, ...) and, unless MODVER_E2E=0,
# the real-kernel end-to-end test on 6.1 x LLVM 14 and 6.12 x LLVM 19
# (MODVER_E2E_KERNELS="6.1:14 ..." to choose). Ends with one
# "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/cargo-bin.sh
# Where CI's time goes: one "test.sh: PHASE took Ns" line per phase, and a
# summary before the closing line.
times=()
t0=$SECONDS
phase() { times+=("$1 $((SECONDS - t0))s"); echo "test.sh: $1 took $((SECONDS - t0))s"; t0=$SECONDS; }
# Only the base group is needed to compile; the rest (LLVM 13-22, kbuild's
# genksyms/modpost, the kernel sources and QEMU, rustc-web for the Rust
# fixture: most of the download) is
# installed in the background while fmt, clippy and the test build run.
bash scripts/setup.sh base || { echo "test.sh: setup failed"; echo "0 passed, 1 failed"; exit 1; }
phase "setup base"
groups=(kbuild llvm-all rust)
[[ "${MODVER_E2E:-1}" == 0 ]] || groups+=(kernel)
log=$(mktemp) setup_log=$(mktemp)
trap 'rm -f "$log" "$setup_log"' EXIT
bash scripts/setup.sh "${groups[@]}" >"$setup_log" 2>&1 &
setup_pid=$!

status=0
cargo fmt --all -- --check || { echo "test.sh: cargo fmt --check failed"; status=1; }
cargo clippy --all-targets -q -- -D warnings || { echo "test.sh: clippy failed"; status=1; }
phase "fmt+clippy"
cargo test --all-targets --no-run -q 2>&1 | tee "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
phase "test build"
if ! wait "$setup_pid"; then
  cat "$setup_log"
  echo "test.sh: setup ${groups[*]} failed"
  echo "0 passed, 1 failed"
  exit 1
fi
cat "$setup_log"
phase "setup ${groups[*]} (after the build)"
cargo test --all-targets 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
phase "cargo test"

if [[ "${MODVER_E2E:-1}" != 0 ]]; then
  source scripts/e2e/common.sh
  # Real LTO kernels (Debian's trees), stock and through Makefile.rs-hook,
  # booted: KERNEL:LLVM pairs.
  for kl in ${MODVER_E2E_KERNELS:-6.1:14 6.12:19}; do
    bash scripts/e2e-kernel.sh "${kl%%:*}" --llvm "${kl#*:}" 2>&1 | tee -a "$log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
    # Issue 6 on the same tree: native symbol tables vs llvm-nm, every object.
    # (with the debug binary cargo test built: no release build in CI)
    MODVER=$(modver_bin debug) bash scripts/check-tree-symbols.sh "$(e2e_workdir "${kl%%:*}")/out-stock" 2>&1 | tee -a "$log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
    phase "e2e ${kl%%:*} x LLVM ${kl#*:}"
  done
fi

passed=$(grep -hoE '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -hoE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
((status == 0 || failed > 0)) || failed=1
echo "test.sh: times: ${times[*]}"
echo "total: $passed passed, $failed failed"
exit $status
