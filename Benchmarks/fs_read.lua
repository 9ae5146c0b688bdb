-- fs read throughput: reads a file in 64 KiB chunks with f:read and prints the
-- MB/s of each pass and their median.
-- Run: moonbase run Benchmarks/fs_read.lua FILE [passes]
-- (Benchmarks/fs_read.sh makes the file and compares with `cat FILE > /dev/null`.)
local fs = require 'fs'
local time = require 'time'
local path = arg and arg[1]
if not path then print('usage: moonbase run Benchmarks/fs_read.lua FILE [passes]'); os.exit(2) end
local passes = tonumber(arg[2]) or 3
local CHUNK = 65536
local rates, size = {}, 0
for pass = 1, passes do
  local t0 = time.monotonic()
  local f = assert(fs.open(path, 'rb'))
  local total = 0
  while true do
    local chunk = assert(f:read(CHUNK))
    if chunk == '' then break end
    total = total + #chunk
  end
  f:close()
  local dt = time.monotonic() - t0
  size = total
  rates[pass] = total / dt / 1e6
  print(string.format('fs_read pass %d: %d bytes in %.3f s, %.1f MB/s', pass, total, dt, rates[pass]))
end
local median = require('bench_util').median(rates)
print(string.format('fs_read median: %.1f MB/s', median))
