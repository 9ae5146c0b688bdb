#!/usr/bin/env bash
# Issue 12's figures, Moonbase against nginx in the same run:
#  (a) server memory per connection (KiB, VmRSS growth / 200 connections) for
#      connections that pipeline up to 3 MB of 'GET /big' (256 KiB answers)
#      and never read (stalled), and for idle keep-alive connections (one
#      request answered, then open); client: Tests/memory/stalled_client.py.
#      nginx: one worker, /big a 256 KiB file, everything else "hello".
#  (b) recovery after file descriptor exhaustion: 2 workers under ulimit -n 64,
#      1000 connections held then let go; seconds until 20 requests are
#      answered (Tests/fd/fd_exhaustion_client.py). No reference.
#  (c) HTTP hello req/s and CPU per request: run Benchmarks/http_hello.sh.
#   Benchmarks/http_limits.sh   (ROUNDS=3: medians of 3 fresh servers per figure)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
ROUNDS=${ROUNDS:-3}
BIN=$BENCH_BIN
[ -x "$BIN" ] || { echo "http_limits: $BIN missing (swift build -c release)" >&2; exit 1; }
NGINX_PORT=${NGINX_PORT:-8093}
PREFIX=$(mktemp -d /tmp/moonbase-limits.XXXXXX)
mkdir -p "$PREFIX/tmp"
head -c 262144 /dev/zero | tr '\0' x > "$PREFIX/big"
chmod 755 "$PREFIX"; chmod 644 "$PREFIX/big"  # nginx's worker runs as nobody
sed -e "s/127.0.0.1:8091/127.0.0.1:$NGINX_PORT/" \
    -e "s|        location / {|        location = /big { default_type text/plain; alias $PREFIX/big; }\n        location / {|" \
    Benchmarks/nginx.conf > "$PREFIX/nginx.conf"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$PREFIX"; }
trap cleanup EXIT

# per_conn MODE SERVER: KiB of server RSS per connection (a fresh server each time).
per_conn() {
  local mode=$1 server=$2 pid port out
  if [ "$server" = moonbase ]; then
    rm -f "$PREFIX/port"
    "$BIN" run --threads 1 Tests/memory/stalled_server.lua "$PREFIX/port" 2>/dev/null &
    pid=$!; pids+=("$pid")
    for _ in $(seq 50); do [ -s "$PREFIX/port" ] && break; sleep 0.1; done
    port=$(cat "$PREFIX/port"); local kill_pid=$pid
  else
    nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;' 2>/dev/null &
    local kill_pid=$!; pids+=("$kill_pid")
    for _ in $(seq 50); do pid=$(pgrep -P "$kill_pid" | head -1 || true); [ -n "$pid" ] && break; sleep 0.1; done
    sleep 0.3
    port=$NGINX_PORT
  fi
  out=$(timeout 150 python3 Tests/memory/stalled_client.py "$port" "$pid" "$mode" 2>&1 || true)
  echo "  $server $mode: $(head -1 <<<"$out")" >&2
  kill "$kill_pid" 2>/dev/null || true; wait "$kill_pid" 2>/dev/null || true
  sed -n 's/.*RSS +\([0-9.-]*\) KiB per connection.*/\1/p' <<<"$out" | head -1
}

for mode in pipelined keepalive; do
  mb=() ng=()
  for round in $(seq "$ROUNDS"); do
    mb+=("$(per_conn "$mode" moonbase)")
    ng+=("$(per_conn "$mode" nginx)")
  done
  m=$(bench_median "${mb[@]}"); n=$(bench_median "${ng[@]}")
  echo "$mode: server RSS per connection, median of $ROUNDS: moonbase $m KiB, nginx $n KiB (200 connections)"
  label=$([ "$mode" = pipelined ] && echo "stalled connection (pipelines, never reads)" || echo "idle keep-alive connection")
  bench_report "http memory per $label" "$m" "KiB" "nginx, 1 worker" "$n" "value<=64"
done

# (b) recovery after fd exhaustion, 2 workers.
rec=()
for round in $(seq "$ROUNDS"); do
  rm -f "$PREFIX/fdport"
  sh -c 'ulimit -n 64; exec "$0" run --threads 2 Tests/fd/fd_exhaustion.lua "$1"' "$BIN" "$PREFIX/fdport" >/dev/null 2>&1 &
  pid=$!; pids+=("$pid")
  for _ in $(seq 50); do [ -s "$PREFIX/fdport" ] && break; sleep 0.1; done
  out=$(timeout 60 python3 Tests/fd/fd_exhaustion_client.py "$(cat "$PREFIX/fdport")" "$pid" 2>&1 || true)
  echo "  fd exhaustion round $round: $(tr '\n' ';' <<<"$out")" >&2
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  s=$(sed -n 's/^answered after recovery 20 within \([0-9.]*\) s/\1/p' <<<"$out")
  rec+=("${s:-60}")
done
r=$(bench_median "${rec[@]}")
echo "fd exhaustion (ulimit -n 64, 2 workers, 1000 connections let go): 20 answers within $r s (median of $ROUNDS)"
bench_report "http recovery after fd exhaustion, 2 workers (20 answers)" "$(awk -v s="$r" 'BEGIN { printf "%.0f", s * 1000 }')" "ms" "-" "-" "-"
