#!/usr/bin/env bash
# SELECT 1 round trips per second: Moonbase (one worker, --threads 1) with 1 fiber
# and with 16 fibers on 16 connections, next to mariadb-slap at the same
# concurrency against the same throwaway server. Bounded: about 4 s per figure.
# Usage: Benchmarks/mysql_select1.sh [seconds]   (release build; starts MariaDB itself)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOONBASE_MYSQL_STATUS:-}" ]; then exec scripts/with-mariadb "$0" "$@"; fi
[ "$MOONBASE_MYSQL_STATUS" = ready ] || { echo "mysql_select1: no MariaDB server" >&2; exit 1; }
secs=${1:-3}
[ -x .build/release/moonbase ] || swift build -c release >/dev/null
mariadb --no-defaults --socket="$MOONBASE_MYSQL_SOCKET" -uroot -e \
  "CREATE DATABASE IF NOT EXISTS test; GRANT ALL ON test.* TO '$MOONBASE_MYSQL_USER'@'127.0.0.1';"
slap() {  # queries per second reported by mariadb-slap at concurrency $1
  local c=$1 n=$(( 20000 + $1 * 5000 ))
  local avg
  avg=$(timeout 60 mariadb-slap --no-defaults --host=127.0.0.1 --port="$MOONBASE_MYSQL_PORT" \
    --user="$MOONBASE_MYSQL_USER" --password="$MOONBASE_MYSQL_PASSWORD" --create-schema=test \
    --query='SELECT 1' --concurrency="$c" --number-of-queries="$n" --iterations=1 2>/dev/null \
    | awk '/Average number of seconds/ { print $(NF-1) }')
  awk -v n="$n" -v s="$avg" 'BEGIN { if (s > 0) printf "%d\n", n / s; else print 0 }'
}
printf '%-34s %12s %14s %7s\n' benchmark moonbase mariadb-slap ratio
for c in 1 16; do
  mine=$(timeout 60 .build/release/moonbase run --threads 1 Benchmarks/mysql_select1.lua "$c" "$secs")
  ref=$(slap "$c")
  ratio=$(awk -v a="$mine" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  printf '%-34s %12s %14s %7s\n' "mysql SELECT 1/s, $c conn(s)" "$mine" "$ref" "$ratio"
done
