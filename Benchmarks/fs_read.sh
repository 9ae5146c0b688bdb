#!/bin/sh
# fs read throughput against `cat FILE > /dev/null` on the same file, same run.
# Usage: Benchmarks/fs_read.sh [MiB] [moonbase binary]   (defaults: 256, .build/release/moonbase)
set -eu
MIB=${1:-256}
BIN=${2:-.build/release/moonbase}
FILE=$(mktemp /tmp/moonbase-fs-bench.XXXXXX)
trap 'rm -f "$FILE"' EXIT
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$FILE"
cat "$FILE" > /dev/null   # warm the page cache for both
best_cat=""
for i in 1 2 3; do
  t0=$(date +%s.%N); cat "$FILE" > /dev/null; t1=$(date +%s.%N)
  t=$(echo "$t1 - $t0" | bc -l)
  if [ -z "$best_cat" ] || [ "$(echo "$t < $best_cat" | bc -l)" = 1 ]; then best_cat=$t; fi
done
ref=$(echo "$MIB * 1048576 / $best_cat / 1000000" | bc -l)
line=$(timeout 120 "$BIN" run Benchmarks/fs_read.lua "$FILE" 3)
echo "$line"
fig=$(echo "$line" | sed -n 's/.*, \([0-9.]*\) MB\/s$/\1/p')
printf 'reference: cat > /dev/null: %.1f MB/s (best of 3)\n' "$ref"
printf 'ratio fs_read / cat: %.2f\n' "$(echo "$fig / $ref" | bc -l)"
