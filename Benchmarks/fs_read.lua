-- fs read throughput: reads a file in 64 KiB chunks with fs.read and prints MB/s.
-- Run: moonbase run Benchmarks/fs_read.lua FILE [passes]
-- (Benchmarks/fs_read.sh makes the file and compares with `cat FILE > /dev/null`.)
local fs = require 'fs'
local time = require 'time'
local path = arg and arg[1]
if not path then print('usage: moonbase run Benchmarks/fs_read.lua FILE [passes]'); os.exit(2) end
local passes = tonumber(arg[2]) or 3
local CHUNK = 65536
local best, size = math.huge, 0
for _ = 1, passes do
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
  if dt < best then best = dt end
  size = total
end
print(string.format('fs_read: %d bytes in 64 KiB chunks, best of %d: %.3f s, %.1f MB/s',
  size, passes, best, size / best / 1e6))
