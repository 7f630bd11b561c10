#!/bin/bash
# Bounded cargo-fuzz runs of modver's fuzz targets, one after another at
# nice 19, each seeded from the project's fixtures, with a summary line per
# target: executions, time, crashes (artifacts under fuzz/artifacts/TARGET).
#
#   scripts/fuzz.sh [--runs N] [--time SECONDS] [--no-build] [TARGET...]
#
# Defaults: 10000000 runs, at most 1800 s per target, every target in
# fuzz/Cargo.toml. Needs nightly Rust and cargo-fuzz. The corpus grows in
# $MODVER_FUZZ_CORPUS/TARGET (default fuzz/corpus/TARGET, not committed;
# a directory outside the work tree lets later runs go on from it).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10000000
max_time=1800
corpus=${MODVER_FUZZ_CORPUS:-fuzz/corpus}
build=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) max_time=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^modver-fuzz$')
fi

if [ "$build" = 1 ]; then
    (cd fuzz && nice -n 19 cargo +nightly fuzz build -O)
fi

# Seeds: fixture files of the kind each target reads.
seed() {
    local target=$1 dir=$corpus/$1
    mkdir -p "$dir"
    local pattern
    case "$target" in
    symtypes | dwarf_symtypes) pattern='*.symtypes' ;;
    object_bytes | modversions | dwarfksyms) pattern='*.o' ;;
    bitcode_symtab | bitcode_metadata) pattern='*.bc' ;;
    nm_output) pattern='*.syms' ;;
    symvers) pattern='*.symvers' ;;
    xz)
        # Small fixtures compressed as Makefile.modinst does, and with
        # xz's default CRC64 (the path left to liblzma).
        find testdata -name '*.o' -size -16k | head -n 20 | while read -r f; do
            id=$(printf '%s' "$f" | md5sum | cut -c1-16)
            xz -c --check=crc32 --lzma2=dict=1MiB "$f" >"$dir/seed-$id-crc32"
            xz -c "$f" >"$dir/seed-$id-crc64"
        done
        return ;;
    *) return ;;
    esac
    find testdata -name "$pattern" -size -16k -print0 |
        while IFS= read -r -d '' f; do
            cp -n "$f" "$dir/seed-$(printf '%s' "$f" | md5sum | cut -c1-16)"
        done
}

summary=()
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "fuzz/artifacts/$t"
    log=fuzz/artifacts/$t/last-run.log
    start=$(date +%s)
    set +e
    nice -n 19 "fuzz/target/x86_64-unknown-linux-gnu/release/$t" \
        -runs="$runs" -max_total_time="$max_time" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
        -artifact_prefix="fuzz/artifacts/$t/" "$corpus/$t" >"$log" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))
    done_runs=$(grep -a -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || true)
    if [ -z "$done_runs" ]; then
        done_runs=$(grep -a -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
    fi
    line="$t: ${done_runs:-?} runs in ${secs}s, exit $rc, crash files: $(find "fuzz/artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)"
    echo "$line"
    summary+=("$line")
done
printf '%s\n' "${summary[@]}" >fuzz/artifacts/summary.txt
