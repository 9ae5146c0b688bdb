#!/usr/bin/env bash
# Memory of N (default 10000) idle connections held open to one moonbase process
# (examples-style http server, one fiber per connection waiting for a request),
# against nginx (one worker process) holding the same N idle connections.
# The client is a second moonbase process. Prints the server's resident memory
# (VmRSS from /proc/PID/status) before and after, bytes per connection, and the
# ratio, then one bench_report line (bytes per connection really opened, median
# of ROUNDS rounds, nginx as reference).
#   Benchmarks/idle_connections.sh [N]   (ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
N=${1:-10000}
ROUNDS=${ROUNDS:-3}  # the figure is the median of the rounds
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

# hold PORT SERVER_PID: the client opens N connections and holds them; prints
# "rss_before_kB rss_after_kB connections_really_opened".
hold() {
  local before after client line opened
  before=$(rss "$2")
  coproc CLIENT { exec timeout 120 "$BIN" run --threads 1 Benchmarks/idle_client.lua "$1" "$N" 60; }
  client=$CLIENT_PID
  read -r line <&"${CLIENT[0]}"
  sleep 1
  after=$(rss "$2")
  echo "$before $after $line" >&2
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  opened=$(awk '$1 == "open" { print $2 }' <<<"$line")
  echo "$before $after ${opened:-0}"
}

# bytes per connection really opened (a run that opened none has no figure)
per_conn() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1024 / n; else print "-" }'; }

# Each round starts both servers afresh (memory freed by a previous round would
# hide the growth), holds N connections to each, and stops them.
mb_samples=() ng_samples=()
for round in $(seq "$ROUNDS"); do
  "$BIN" run --threads 1 Benchmarks/idle_server.lua "$MB_PORT" > "$PREFIX/mb.out" &
  mb=$!; pids+=($mb)
  nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;' &
  ng=$!; pids+=($ng)
  for _ in $(seq 50); do grep -q ready "$PREFIX/mb.out" 2>/dev/null && [ -n "$(pgrep -P $ng || true)" ] && break; sleep 0.1; done
  sleep 0.5
  ngw=$(pgrep -P "$ng" | head -1)
  read -r mb_before mb_after mb_open < <(hold "$MB_PORT" "$mb")
  read -r ng_before ng_after ng_open < <(hold "$NGINX_PORT" "$ngw")
  [ "$mb_open" -gt 0 ] && [ "$ng_open" -gt 0 ] || { echo "round $round: no connection opened (moonbase $mb_open, nginx $ng_open)" >&2; exit 1; }
  mb_samples+=("$(per_conn "$mb_before" "$mb_after" "$mb_open")")
  ng_samples+=("$(per_conn "$ng_before" "$ng_after" "$ng_open")")
  printf 'round %d: moonbase RSS %.1f -> %.1f MB, %d connections, %s bytes each; nginx RSS %.1f -> %.1f MB, %d connections, %s bytes each\n' \
    "$round" "$((mb_before / 1024))" "$((mb_after / 1024))" "$mb_open" "${mb_samples[-1]}" \
    "$((ng_before / 1024))" "$((ng_after / 1024))" "$ng_open" "${ng_samples[-1]}"
  kill "$mb" "$ng" 2>/dev/null || true
  wait "$mb" "$ng" 2>/dev/null || true
done
mb_bytes=$(bench_median "${mb_samples[@]}")
ng_bytes=$(bench_median "${ng_samples[@]}")
printf 'idle connections: %d asked per round; bytes per connection opened, median of %d rounds: moonbase %.0f, nginx %.0f [reference, 1 worker], ratio %.2f\n' \
  "$N" "$ROUNDS" "$mb_bytes" "$ng_bytes" "$(awk -v m="$mb_bytes" -v n="$ng_bytes" 'BEGIN { print (n > 0) ? m / n : 0 }')"
bench_report "idle connections, memory per connection ($N held)" "$mb_bytes" "bytes" \
  "nginx, 1 worker" "$ng_bytes" "-"
