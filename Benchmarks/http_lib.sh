# Shared by the HTTP benchmarks (http_hello.sh, http_multicore.sh): starting the
# servers under test, waiting for them, and running wrk. Source lib.sh first.
# Defines functions only.

# Servers started with http_start are killed, and the temporary folder removed,
# when the script exits.
http_pids=()
HTTP_TMP=$(mktemp -d /tmp/moonbase-bench.XXXXXX)
http_cleanup() {
  for p in "${http_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$HTTP_TMP"
}
trap http_cleanup EXIT

# http_start COMMAND...: starts a server in the background; its pid is $HTTP_PID.
http_start() {
  "$@" >/dev/null &
  HTTP_PID=$!
  http_pids+=("$HTTP_PID")
}

# http_start_nginx WORKERS PORT: nginx (Benchmarks/nginx.conf) with WORKERS worker
# processes; $HTTP_PID is the master.
http_start_nginx() {
  mkdir -p "$HTTP_TMP/nginx-$2/tmp"
  sed -e "s/127.0.0.1:8091/127.0.0.1:$2/" -e "s/^worker_processes 1;/worker_processes $1;/" \
    Benchmarks/nginx.conf > "$HTTP_TMP/nginx-$2/nginx.conf"
  http_start nginx -p "$HTTP_TMP/nginx-$2" -c "$HTTP_TMP/nginx-$2/nginx.conf" -g 'daemon off;'
}

# http_wait PORT: waits (at most 10 s) until a GET on the port answers.
http_wait() {
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "no server answers on port $1" >&2
  return 1
}

# http_cpu_ticks PID...: user + system CPU time of the processes, in clock ticks.
http_cpu_ticks() {
  local total=0 p
  for p in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$total"
}

# http_wrk PORT CONNECTIONS THREADS SECONDS [CPU_PIDS...]: one wrk run; prints
# "requests_per_s latency_avg_us latency_p99_us cpu_us_per_request" (the last
# is "-" without CPU_PIDS). A run with socket errors or non-2xx/3xx answers is
# not throughput: it is shown on stderr and recorded, and http_require_clean_wrk
# (called before the figures are reported) then fails the benchmark.
http_wrk() {
  local port=$1 conns=$2 threads=$3 secs=$4
  shift 4
  local before=0 after=0 out
  [ $# -gt 0 ] && before=$(http_cpu_ticks "$@")
  out=$(timeout $((secs + 30)) wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/")
  [ $# -gt 0 ] && after=$(http_cpu_ticks "$@")
  if grep -qE '^ +(Socket errors|Non-2xx or 3xx responses):' <<<"$out"; then
    grep -E '^ +(Socket errors|Non-2xx or 3xx responses):' <<<"$out" | sed "s|^ *|wrk on port $port: |" | tee -a "$HTTP_TMP/wrk-errors" >&2
  fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v cpu=$# '
    function us(v) {  # wrk prints 512.00us, 1.20ms or 2.00s
      if (v ~ /us$/) return v + 0
      if (v ~ /ms$/) return v * 1000
      if (v ~ /s$/) return v * 1000000
      return v
    }
    /^    Latency/ { avg = us($2) }
    /^ +99%/ { p99 = us($2) }
    / requests in / { requests = $1 }
    /^Requests\/sec/ { rps = $2 }
    END {
      per = (cpu > 0 && requests > 0) ? sprintf("%.2f", ticks / hz * 1000000 / requests) : "-"
      printf "%s %s %s %s\n", rps, avg, p99, per
    }' <<<"$out"
}

# Exits with an error when any wrk run had socket errors or non-2xx answers, so
# Benchmarks/run reports the benchmark as failed instead of its figures.
http_require_clean_wrk() {
  if [ -s "$HTTP_TMP/wrk-errors" ]; then
    echo "wrk reported errors; no figures:" >&2
    cat "$HTTP_TMP/wrk-errors" >&2
    exit 1
  fi
}
