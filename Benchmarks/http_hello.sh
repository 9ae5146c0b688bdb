#!/usr/bin/env bash
# Keep-alive "hello world" on one core: moonbase (examples/http_hello.lua, one
# worker thread) against nginx (`return 200 "hello"`, one worker process) and a
# minimal single-threaded libuv responder in C (Benchmarks/uv_responder.c), all
# measured with wrk (one thread) in the same run, rounds interleaved; figures are
# medians over the rounds. Prints a table and one bench_report line per figure.
#   Benchmarks/http_hello.sh [seconds_per_run]   (default 2; ROUNDS=5; needs wrk, nginx, cc, libuv)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
. Benchmarks/http_lib.sh
DUR=${1:-2}
ROUNDS=${ROUNDS:-5}
MB_PORT=${MB_PORT:-8080}
NGINX_PORT=${NGINX_PORT:-8091}
UV_PORT=${UV_PORT:-8093}
[ -x "$BENCH_BIN" ] || swift build -c release >/dev/null
cc -O2 -o "$HTTP_TMP/uv_responder" Benchmarks/uv_responder.c -luv

http_start "$BENCH_BIN" run --threads 1 examples/http_hello.lua serve "$MB_PORT"
mb=$HTTP_PID
http_start_nginx 1 "$NGINX_PORT"
ng=$HTTP_PID
http_start "$HTTP_TMP/uv_responder" "$UV_PORT"
uv=$HTTP_PID
http_wait "$MB_PORT"; http_wait "$NGINX_PORT"; http_wait "$UV_PORT"
ngw=$(pgrep -P "$ng" | tr '\n' ' ')

# results[server,conns] = space-separated "rps avg p99 cpu" samples, one per round
declare -A rps avg p99 cpu
sample() {  # name port conns pids...
  local name=$1 port=$2 conns=$3 r a p c
  shift 3
  read -r r a p c < <(http_wrk "$port" "$conns" 1 "$DUR" "$@")
  rps[$name,$conns]+="$r "; avg[$name,$conns]+="$a "; p99[$name,$conns]+="$p "; cpu[$name,$conns]+="$c "
}
for _ in $(seq "$ROUNDS"); do
  for c in 64 1; do
    sample moonbase "$MB_PORT" "$c" "$mb"
    # shellcheck disable=SC2086  # one pid per nginx worker
    sample nginx "$NGINX_PORT" "$c" $ngw
  done
  sample libuv "$UV_PORT" 64 "$uv"
done
med() { bench_median $1; }  # word-split the samples on purpose

printf '%-9s %-6s %12s %12s %12s %14s\n' server conns 'requests/s' 'lat avg us' 'lat p99 us' 'CPU us/req'
for key in moonbase,64 nginx,64 libuv,64 moonbase,1 nginx,1; do
  printf '%-9s %-6s %12.0f %12.1f %12.1f %14.2f\n' "${key%,*}" "${key#*,}" \
    "$(med "${rps[$key]}")" "$(med "${avg[$key]}")" "$(med "${p99[$key]}")" "$(med "${cpu[$key]}")"
done
echo "(medians of $ROUNDS rounds of ${DUR}s; wrk -t1)"

http_require_clean_wrk
bench_report "http hello, 1 worker, -c64" "$(med "${rps[moonbase,64]}")" "req/s" \
  "nginx, 1 worker" "$(med "${rps[nginx,64]}")" "ratio>=0.9"
bench_report "http hello, 1 worker, -c64, vs C" "$(med "${rps[moonbase,64]}")" "req/s" \
  "libuv C responder, 1 thread" "$(med "${rps[libuv,64]}")" "ratio>=0.7"
bench_report "http hello, 1 worker, -c1" "$(med "${rps[moonbase,1]}")" "req/s" \
  "nginx, 1 worker" "$(med "${rps[nginx,1]}")" "ratio>=0.9"
bench_report "http hello, 1 worker, -c1, latency avg" "$(med "${avg[moonbase,1]}")" "us" \
  "nginx, 1 worker" "$(med "${avg[nginx,1]}")" "-"
bench_report "http hello, 1 worker, -c1, latency p99" "$(med "${p99[moonbase,1]}")" "us" \
  "nginx, 1 worker" "$(med "${p99[nginx,1]}")" "-"
bench_report "http hello, 1 worker, -c64, server CPU per request" "$(med "${cpu[moonbase,64]}")" "us" \
  "nginx, 1 worker" "$(med "${cpu[nginx,64]}")" "-"
