#!/usr/bin/env bash
# The plain acceptance run: `wrk -t2 -c64 -d10s --latency` against
# examples/http_hello.lua (one worker) and then nginx `return 200` (one worker
# process), in the same run; prints wrk's summary lines for each. Not part of
# `make bench` (Benchmarks/http_hello.sh takes medians of shorter rounds).
#   Benchmarks/http_hello_10s.sh        (needs wrk, nginx; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
. Benchmarks/http_lib.sh
[ -x "$BENCH_BIN" ] || swift build -c release >/dev/null
http_start "$BENCH_BIN" run --threads 1 examples/http_hello.lua serve 8281
http_start_nginx 1 8291
http_wait 8281; http_wait 8291
summary='Latency  |Req/Sec|requests in|Requests/sec|Socket errors|Non-2xx| 50%| 99%'
echo "== moonbase (examples/http_hello.lua, --threads 1)"
wrk -t2 -c64 -d10s --latency http://127.0.0.1:8281/ | grep -E "$summary"
echo "== nginx (1 worker process)"
wrk -t2 -c64 -d10s --latency http://127.0.0.1:8291/ | grep -E "$summary"
