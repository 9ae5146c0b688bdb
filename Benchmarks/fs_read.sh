#!/bin/sh
# fs read throughput in 64 KiB chunks against `cat FILE > /dev/null` on the
# same (page-cached) file in the same run, medians of 5 runs each; then the
# 1 GiB chunked write + read with its resident-memory check
# (Tests/lua/fs_large.lua, which the test suite runs at 64 MiB).
# Usage: Benchmarks/fs_read.sh [MiB] [large MiB]   (defaults: 256, 1024; binary: $BENCH_BIN)
set -eu
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
MIB=${1:-256}
LARGE_MIB=${2:-1024}
FILE=$(mktemp /tmp/moonbase-fs-bench.XXXXXX)
trap 'rm -f "$FILE"' EXIT
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$FILE"
cat "$FILE" > /dev/null   # warm the page cache for both

# cat and Moonbase alternate, so both see the same load on a shared machine.
cat_rates=""; fs_rates=""
for i in 1 2 3 4 5; do
  t0=$(date +%s.%N); cat "$FILE" > /dev/null; t1=$(date +%s.%N)
  cat_rates="$cat_rates $(echo "$MIB * 1048576 / ($t1 - $t0) / 1000000" | bc -l)"
  out=$(timeout 30 "$BENCH_BIN" run Benchmarks/fs_read.lua "$FILE" 1)
  echo "$out" | head -1
  fs_rates="$fs_rates $(echo "$out" | sed -n 's/^fs_read median: \([0-9.]*\) MB\/s$/\1/p')"
done
ref=$(bench_median $cat_rates)
fig=$(bench_median $fs_rates)
printf 'reference: cat > /dev/null: %.1f MB/s (median of 5:%s)\n' "$ref" "$cat_rates"
printf 'ratio fs_read / cat: %.2f\n' "$(echo "$fig / $ref" | bc -l)"
bench_report "fs read, ${MIB} MiB cached file, 64 KiB chunks" "$fig" "MB/s" "cat > /dev/null" "$ref" "ratio>=0.7"

rm -f "$FILE"
large=$(MOONBASE_FS_LARGE_MIB=$LARGE_MIB timeout 120 "$BENCH_BIN" run Tests/lua/fs_large.lua 2>&1)
echo "$large"
growth=$(echo "$large" | sed -n 's/^largest resident growth: \([0-9]*\) KiB$/\1/p')
bench_report "fs ${LARGE_MIB} MiB write + read in 64 KiB chunks, resident growth" "$growth" "KiB" "-" "-" "value<=65536"
