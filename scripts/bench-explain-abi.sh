#!/usr/bin/env bash
# Benchmark (not a test): `modver explain --btf` on two Debian kernel ABIs,
# from their BTF and from their DWARF, scored against the CRCs Debian's
# own build computed (the genksyms CRCs in each linux-headers package's
# Module.symvers).
#
# Usage: scripts/bench-explain-abi.sh [--no-dwarf] [--abidiff SECONDS] OLDREL NEWREL
#   e.g. 6.1.0-54-amd64 6.1.0-55-amd64. The packages come from
#   scripts/fetch-debian-abi.sh (with --dbg unless --no-dwarf: about 1 GB
#   download and 6 GB unpacked per ABI).
#   --abidiff S  also runs libabigail's abidiff on the two debug vmlinux
#                (Debian's abigail-tools), stopped after S seconds.
# Prints, per source (BTF from vmlinuz, DWARF from the -dbg vmlinux, and
# DWARF of the whole directories: the -dbg vmlinux and modules): wall
# time and peak RSS of one `explain --btf --all` (every function and
# variable both kernels have that reaches a changed type, CRCs aside; the
# directories' row explains the exports whose CRC changed), and
#   recall         vmlinux exports whose CRC changed that explain reports;
#   false reports  vmlinux exports whose CRC did not change that it reports;
#   (directories) module exports whose CRC changed that it reports (only
#                  changed module exports are explained);
# and the five largest root causes.
set -euo pipefail
cd "$(dirname "$0")/.."
dwarf=1 abidiff=""
while [ $# -gt 2 ]; do
	case "$1" in
	--no-dwarf) dwarf=0; shift ;;
	--abidiff) abidiff=$2; shift 2 ;;
	*) echo "usage: $0 [--no-dwarf] [--abidiff SECONDS] OLDREL NEWREL" >&2; exit 2 ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--no-dwarf] [--abidiff SECONDS] OLDREL NEWREL" >&2; exit 2; }
old=$1 new=$2
if [ -z "${MODVER:-}" ]; then cargo build --release -q; fi
. scripts/cargo-bin.sh
modver=${MODVER:-$(modver_bin release)}
dbgflag=(); ((dwarf)) && dbgflag=(--dbg)
declare -A root
while IFS=$'\t' read -r rel dir; do root[$rel]=$dir; done < <(bash scripts/fetch-debian-abi.sh "${dbgflag[@]}" "$old" "$new")
work=$(mktemp -d "${TMPDIR:-/tmp}/modver-bench-explain-abi.XXXXXX")
trap 'rm -rf "$work"' EXIT

score() { # JSON report -> recall / false-report lines
	python3 - "${root[$old]}/Module.symvers" "${root[$new]}/Module.symvers" "$1" <<'EOF'
import json, sys
def crcs(path, vmlinux=True):
    out = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3 and (f[2] == "vmlinux") == vmlinux:
            out[f[1]] = f[0]
    return out
a, b = crcs(sys.argv[1]), crcs(sys.argv[2])
ma, mb = crcs(sys.argv[1], False), crcs(sys.argv[2], False)
both = set(a) & set(b)
changed = {s for s in both if a[s] != b[s]}
same = both - changed
report = json.load(open(sys.argv[3]))
reported = {e["symbol"] for e in report["exports"] if e.get("chains") or e.get("note")}
pct = lambda n, d: 100.0 * n / max(d, 1)
hit, false = changed & reported, same & reported
print(f"  vmlinux exports in both: {len(both)}; CRC changed {len(changed)}, unchanged {len(same)}")
print(f"  recall:        {len(hit)}/{len(changed)} = {pct(len(hit), len(changed)):.2f} %")
print(f"  false reports: {len(false)}/{len(same)} = {pct(len(false), len(same)):.2f} %")
print(f"  missed: {' '.join(sorted(changed - reported)[:8])}")
# Module exports (directory inputs with modules): explained from their
# modules, only those whose CRC changed.
mod_changed = {s for s in set(ma) & set(mb) if ma[s] != mb[s]}
mod_reported = {e["symbol"] for e in report["exports"] if e.get("file") and (e.get("chains") or e.get("note"))}
if mod_reported:
    hit = mod_changed & mod_reported
    print(f"  module exports: CRC changed {len(mod_changed)}; recall {len(hit)}/{len(mod_changed)} = {pct(len(hit), len(mod_changed)):.2f} %")
    print(f"  module exports missed: {' '.join(sorted(mod_changed - mod_reported)[:8])}")
for c in report.get("root_causes", [])[:5]:
    print(f"  root cause: {c['type']} {c.get('member') or ''} {c['change']}: {c['count']} exports")
EOF
}

run() { # NAME OLDFILE NEWFILE [ARGS...]
	local name=$1 o=$2 n=$3
	shift 3
	/usr/bin/time -f '%e %M' -o "$work/$name.time" "$modver" explain --btf --format json "$@" "$o" "$n" \
		>"$work/$name.json" 2>"$work/$name.err" || [ $? -eq 1 ] || { cat "$work/$name.err" >&2; exit 1; }
	read -r secs kib < <(tail -n1 "$work/$name.time")
	echo "$name: $secs s wall, peak RSS $((kib / 1024)) MiB"
	score "$work/$name.json"
}

echo "explain $old -> $new"
run btf "${root[$old]}/vmlinuz" "${root[$new]}/vmlinuz" --all
if ((dwarf)); then
	v() { echo "${root[$1]}/dbg/usr/lib/debug/boot/vmlinux-$1"; }
	run dwarf "$(v "$old")" "$(v "$new")" --dwarf --all
	# The whole directories: vmlinux and every module from the debug
	# package's DWARF, the exports whose CRC changed (module exports
	# explained from their modules); false reports are not measured here.
	run dwarf-with-modules "${root[$old]}" "${root[$new]}" --dwarf
	if [ -n "$abidiff" ]; then
		command -v abidiff >/dev/null || { echo "abidiff: not installed (apt-get install abigail-tools)"; exit 0; }
		/usr/bin/time -f '%e %M' -o "$work/abidiff.time" timeout "$abidiff" \
			abidiff "$(v "$old")" "$(v "$new")" >"$work/abidiff.out" 2>&1 || true
		read -r secs kib < <(tail -n1 "$work/abidiff.time") || true
		echo "abidiff: $secs s wall (limit $abidiff s), peak RSS $((kib / 1024)) MiB, $(wc -l <"$work/abidiff.out") lines of report"
	fi
fi
