#!/usr/bin/env bash
# SELECT 1 round trips per second: Moonbase (one worker, --threads 1) with 1 fiber
# and with 16 fibers on 16 connections, next to mariadb-slap at the same
# concurrency against the same throwaway server (TCP on 127.0.0.1 for both).
# Each figure is the median of RUNS short runs, Moonbase and mariadb-slap taking
# turns so that a noisy neighbour hits both; the whole script stays under ~90 s.
# Usage: Benchmarks/mysql_select1.sh [seconds per run, default 2] [runs, default 3]
# (release build; starts MariaDB itself). Prints a table, then one BENCH line per figure.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOONBASE_MYSQL_STATUS:-}" ]; then exec scripts/with-mariadb "$0" "$@"; fi
[ "$MOONBASE_MYSQL_STATUS" = ready ] || { echo "mysql_select1: no MariaDB server" >&2; exit 1; }
. Benchmarks/lib.sh
secs=${1:-2}
runs=${2:-3}
[ -x "$BENCH_BIN" ] || swift build -c release >/dev/null
mariadb --no-defaults --socket="$MOONBASE_MYSQL_SOCKET" -uroot -e \
  "CREATE DATABASE IF NOT EXISTS test; GRANT ALL ON test.* TO '$MOONBASE_MYSQL_USER'@'127.0.0.1';"

slap() {  # queries per second reported by mariadb-slap at concurrency $1, about $secs seconds
  local c=$1 n=$(( (c == 1 ? 40000 : 80000) * secs ))
  local avg
  avg=$(timeout 60 mariadb-slap --no-defaults --host=127.0.0.1 --port="$MOONBASE_MYSQL_PORT" \
    --user="$MOONBASE_MYSQL_USER" --password="$MOONBASE_MYSQL_PASSWORD" --create-schema=test \
    --query='SELECT 1' --concurrency="$c" --number-of-queries="$n" --iterations=1 2>/dev/null \
    | awk '/Average number of seconds/ { print $(NF-1) }')
  awk -v n="$n" -v s="$avg" 'BEGIN { if (s > 0) printf "%d\n", n / s; else print 0 }'
}

printf '%-34s %12s %14s %7s   (median of %d runs; all runs: moonbase | slap)\n' \
  benchmark moonbase mariadb-slap ratio "$runs"
reports=()
for c in 1 16; do
  mine=() ref=()
  for _ in $(seq "$runs"); do
    mine+=("$(timeout 60 "$BENCH_BIN" run --threads 1 Benchmarks/mysql_select1.lua "$c" "$secs")")
    ref+=("$(slap "$c")")
  done
  m=$(bench_median "${mine[@]}")
  r=$(bench_median "${ref[@]}")
  ratio=$(awk -v a="$m" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  printf '%-34s %12s %14s %7s   %s | %s\n' "mysql SELECT 1/s, $c conn(s)" "$m" "$r" "$ratio" "${mine[*]}" "${ref[*]}"
  reports+=("$(bench_report "mysql SELECT 1, 1 worker, $c conn(s)" "$m" "queries/s" "mariadb-slap -c$c" "$r" "ratio>=0.9")")
done
# The same with a parameter (prepared statement, cached): no reference, no goal.
mine=()
for _ in $(seq "$runs"); do
  mine+=("$(timeout 60 "$BENCH_BIN" run --threads 1 Benchmarks/mysql_select1.lua 1 "$secs" prepared)")
done
m=$(bench_median "${mine[@]}")
printf '%-34s %12s %14s %7s   %s\n' "mysql SELECT ?/s, 1 conn" "$m" - - "${mine[*]}"
reports+=("$(bench_report "mysql SELECT ? (prepared, cached), 1 worker, 1 conn" "$m" "queries/s" - - -)")
printf '%s\n' "${reports[@]}"
