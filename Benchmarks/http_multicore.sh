#!/usr/bin/env bash
# Keep-alive "hello world" on every core: moonbase (examples/http_multicore.lua
# serve: one server actor per worker, SO_REUSEPORT, `--threads $(nproc)`) against
# nginx with as many worker processes, measured with wrk in the same run, rounds
# interleaved; figures are medians over the rounds. On a 2-core machine wrk takes
# a core from the servers: the figure means more on a machine with many cores.
#   Benchmarks/http_multicore.sh [seconds_per_run]   (default 2; ROUNDS=5, CONNS=64*cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
. Benchmarks/http_lib.sh
DUR=${1:-2}
ROUNDS=${ROUNDS:-5}
CORES=$(nproc)
CONNS=${CONNS:-$((64 * CORES))}
WRK_THREADS=${WRK_THREADS:-$CORES}
MB_PORT=${MB_PORT:-8084}
NGINX_PORT=${NGINX_PORT:-8094}
[ -x "$BENCH_BIN" ] || swift build -c release >/dev/null
ulimit -n "$(ulimit -Hn)"

http_start "$BENCH_BIN" run --threads "$CORES" examples/http_multicore.lua serve "$MB_PORT"
http_start_nginx "$CORES" "$NGINX_PORT"
http_wait "$MB_PORT"; http_wait "$NGINX_PORT"

mb_samples=() ng_samples=()
for _ in $(seq "$ROUNDS"); do
  read -r r _ < <(http_wrk "$MB_PORT" "$CONNS" "$WRK_THREADS" "$DUR"); mb_samples+=("$r")
  read -r r _ < <(http_wrk "$NGINX_PORT" "$CONNS" "$WRK_THREADS" "$DUR"); ng_samples+=("$r")
done
mb=$(bench_median "${mb_samples[@]}")
ng=$(bench_median "${ng_samples[@]}")
printf '%-10s %8s %12s   %s\n' server workers 'requests/s' 'samples'
printf '%-10s %8s %12.0f   %s\n' moonbase "$CORES" "$mb" "${mb_samples[*]}"
printf '%-10s %8s %12.0f   %s\n' nginx "$CORES" "$ng" "${ng_samples[*]}"
echo "(medians of $ROUNDS rounds of ${DUR}s; wrk -t$WRK_THREADS -c$CONNS)"
http_require_clean_wrk
bench_report "http hello, $CORES workers, -c$CONNS" "$mb" "req/s" "nginx, $CORES workers" "$ng" "ratio>=0.9"
