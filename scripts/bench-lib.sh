# Sourced by scripts/bench-*.sh: timed rows, repeated, and their medians.
# The machine may be shared: every row is run $MODVER_BENCH_ROUNDS times
# (default 3), rounds interleaved, and the table gives the median wall time
# and the median CPU time (user + sys, children included). On a loaded
# machine wall time is mostly waiting for a core; CPU time is not, so the
# ratio by CPU is the steadier one.
#
# Needs $work (a scratch directory). Use:
#   bench_run NAME OUT CMD...   one timed run of CMD, stdout to OUT; with
#                               bench_reps=N set, CMD runs its work N times
#                               and the row records a Nth of the time (to
#                               rise above /usr/bin/time's 10 ms resolution)
#   bench_table BASE            the table of all rows, ratios to row BASE
#                               (BASE/row: > 1 means the row is faster); a
#                               {j} in BASE stands for the row's own -jN
#                               (ratios at the same thread count)

bench_rounds=${MODVER_BENCH_ROUNDS:-3}

bench_run() { # name, output file, command...
  local name=$1 outf=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/bench-t" "$@" > "$outf" 2>>"$work/stderr" || true
  local secs user sys kib
  read -r secs user sys kib < <(tail -n 1 "$work/bench-t")
  printf '%s %s %s\n' "$name" "$(awk -v w="$secs" -v u="$user" -v s="$sys" -v r="${bench_reps:-1}" 'BEGIN { printf "%.5f %.5f", w / r, (u + s) / r }')" "$kib" >> "$work/bench-results"
}

bench_table() { # baseline row name
  awk -v base="$1" '
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { if (!($1 in wall)) order[++rows] = $1
      wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3; runs[$1]++
      if ($4 > kib[$1]) kib[$1] = $4 }
    END {
      printf "\n%-30s %5s %9s %9s %10s %10s %10s\n", "run (median)", "runs", "wall s", "CPU s", "peak KiB", "vs wall", "vs CPU"
      for (i = 1; i <= rows; i++) {
        r = order[i]; w = median(wall[r]); c = median(cpu[r]); b = base
        if (index(b, "{j}") && match(r, /-j[0-9]+/)) sub(/\{j\}/, substr(r, RSTART, RLENGTH), b)
        bw = (b in wall) ? median(wall[b]) : 0; bc = (b in cpu) ? median(cpu[b]) : 0
        printf "%-30s %5d %9.3f %9.3f %10d %10s %10s\n", r, runs[r], w, c, kib[r],
          (w > 0 && bw > 0) ? sprintf("%.2fx", bw / w) : "-", (c > 0 && bc > 0) ? sprintf("%.2fx", bc / c) : "-"
      }
      gsub(/\{j\}/, "-jN", base)
      printf "(ratios against %s; > 1: faster; CPU s = user + sys; 0.000 is below /usr/bin/time%s 10 ms resolution)\n", base, "\047s"
    }' "$work/bench-results"
}
