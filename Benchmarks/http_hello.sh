#!/usr/bin/env bash
# Keep-alive "hello world": moonbase (examples/http_hello.lua, one worker thread)
# against nginx (`return 200 "hello"`, one worker process), both measured with wrk
# in the same run. Prints requests/s and latency for each, and the ratio.
#   Benchmarks/http_hello.sh [duration_seconds]     (default 10; needs wrk, nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
MB_PORT=${MB_PORT:-8080}
NGINX_PORT=${NGINX_PORT:-8091}
BIN=.build/release/moonbase
[ -x "$BIN" ] || swift build -c release >/dev/null
PREFIX=$(mktemp -d /tmp/moonbase-nginx.XXXXXX)
mkdir -p "$PREFIX/tmp"
sed "s/127.0.0.1:8091/127.0.0.1:$NGINX_PORT/" Benchmarks/nginx.conf > "$PREFIX/nginx.conf"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$PREFIX"; }
trap cleanup EXIT

"$BIN" run --threads 1 examples/http_hello.lua serve "$MB_PORT" >/dev/null &
pids+=($!)
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;' &
pids+=($!)
for i in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$MB_PORT/" && curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  sleep 0.1
done

run_wrk() {  # url connections -> "rps latency_avg"
  local out
  local t=2; [ "$2" -lt 2 ] && t=1
  out=$(timeout $((DUR + 30)) wrk -t"$t" -c"$2" -d"${DUR}s" --latency "$1")
  local rps lat p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  lat=$(awk '/^    Latency/ {print $2}' <<<"$out")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  echo "$rps $lat $p99"
}

printf '%-10s %-6s %14s %12s %12s\n' server conns 'requests/s' 'lat avg' 'lat p99'
for c in 64 1; do
  read -r mrps mlat mp99 < <(run_wrk "http://127.0.0.1:$MB_PORT/" "$c")
  read -r nrps nlat np99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/" "$c")
  printf '%-10s %-6s %14s %12s %12s\n' moonbase "$c" "$mrps" "$mlat" "$mp99"
  printf '%-10s %-6s %14s %12s %12s\n' nginx "$c" "$nrps" "$nlat" "$np99"
  awk -v a="$mrps" -v b="$nrps" -v c="$c" 'BEGIN { printf "ratio moonbase/nginx at -c%s: %.2f\n", c, a / b }'
done
