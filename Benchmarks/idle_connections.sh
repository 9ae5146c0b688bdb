#!/usr/bin/env bash
# Memory of N (default 10000) idle connections held open to one moonbase process
# (examples-style http server, one fiber per connection waiting for a request),
# against nginx (one worker process) holding the same N idle connections.
# The client is a second moonbase process. Prints the server's resident memory
# (VmRSS from /proc/PID/status) before and after, bytes per connection, and the
# ratio, then one bench_report line (bytes per connection, nginx as reference).
#   Benchmarks/idle_connections.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
N=${1:-10000}
MB_PORT=${MB_PORT:-8082}
NGINX_PORT=${NGINX_PORT:-8092}
BIN=$BENCH_BIN
[ -x "$BIN" ] || swift build -c release >/dev/null
ulimit -n "$(ulimit -Hn)"
PREFIX=$(mktemp -d /tmp/moonbase-nginx.XXXXXX)
mkdir -p "$PREFIX/tmp"
sed -e "s/127.0.0.1:8091/127.0.0.1:$NGINX_PORT/" -e "s/worker_connections 4096/worker_connections $((N + 2000))/" \
    -e "s/^worker_processes 1;/worker_processes 1;\nworker_rlimit_nofile $(ulimit -Hn);/" \
    Benchmarks/nginx.conf > "$PREFIX/nginx.conf"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$PREFIX"; }
trap cleanup EXIT
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }  # kB

hold() {  # port server_pid -> rss before, after (kB)
  local before after client line
  before=$(rss "$2")
  coproc CLIENT { exec timeout 120 "$BIN" run --threads 1 Benchmarks/idle_client.lua "$1" "$N" 60; }
  client=$CLIENT_PID
  read -r line <&"${CLIENT[0]}"
  sleep 1
  after=$(rss "$2")
  echo "$before $after $line" >&2
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  echo "$before $after"
}

"$BIN" run --threads 1 Benchmarks/idle_server.lua "$MB_PORT" > "$PREFIX/mb.out" &
mb=$!; pids+=($mb)
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;' &
ng=$!; pids+=($ng)
for i in $(seq 50); do grep -q ready "$PREFIX/mb.out" 2>/dev/null && [ -n "$(pgrep -P $ng || true)" ] && break; sleep 0.1; done
sleep 0.5
ngw=$(pgrep -P "$ng" | head -1)

read -r mb_before mb_after < <(hold "$MB_PORT" "$mb")
read -r ng_before ng_after < <(hold "$NGINX_PORT" "$ngw")
awk -v n="$N" -v mb0="$mb_before" -v mb1="$mb_after" -v ng0="$ng_before" -v ng1="$ng_after" 'BEGIN {
  printf "idle connections: %d\n", n
  printf "moonbase  RSS %7.1f MB -> %7.1f MB  (%5.0f bytes/connection)\n", mb0/1024, mb1/1024, (mb1-mb0)*1024/n
  printf "nginx     RSS %7.1f MB -> %7.1f MB  (%5.0f bytes/connection)  [reference, 1 worker]\n", ng0/1024, ng1/1024, (ng1-ng0)*1024/n
  printf "ratio moonbase/nginx bytes per connection: %.2f\n", (mb1-mb0)/((ng1-ng0) > 0 ? (ng1-ng0) : 1)
}'
bench_report "idle connections, memory per connection ($N held)" \
  "$(awk -v a="$mb_before" -v b="$mb_after" -v n="$N" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')" "bytes" \
  "nginx, 1 worker" "$(awk -v a="$ng_before" -v b="$ng_after" -v n="$N" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')" "-"
