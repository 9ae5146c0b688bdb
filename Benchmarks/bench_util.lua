-- What the Lua benchmarks share: `require 'bench_util'` (found in the
-- script's folder).
local fs = require 'fs'

local M = {}

-- The median of a list of numbers (sorts it).
function M.median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) / 2] or (t[n / 2] + t[n / 2 + 1]) / 2
end

-- This process's resident memory in bytes (/proc/self/statm).
function M.resident_bytes()
  local statm = assert(fs.readfile('/proc/self/statm'))
  return tonumber(statm:match('^%d+ (%d+)')) * 4096
end

return M
