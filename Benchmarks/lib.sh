# Shared by the Benchmarks/*.sh scripts: one machine-readable line per figure,
# which Benchmarks/run collects into the table of `make bench`.
#
#   bench_report FIGURE VALUE UNIT REFERENCE REF_VALUE GOAL
#
# FIGURE     what was measured, e.g. "http hello, 1 worker, -c64"
# VALUE      Moonbase's figure (a number; medians where several runs were made)
# UNIT       e.g. "req/s", "MB/s", "msg/s", "KiB", "ms"
# REFERENCE  what it is compared with, measured in the same run ("-" if none)
# REF_VALUE  the reference's figure in the same unit ("-" if none)
# GOAL       the target: "ratio>=0.9" (VALUE/REF_VALUE), "value>=1000000",
#            "value<=2048", or "-" when the figure has no target
#
# Lua benchmarks print the same line themselves: BENCH|figure|value|unit|reference|ref_value|goal
bench_report() {
  printf 'BENCH|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# The median of the numbers given as arguments.
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The release binary the benchmarks run (built by `make bench` before they start).
BENCH_BIN=${BENCH_BIN:-.build/release/moonbase}
