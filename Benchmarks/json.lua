-- json encode and decode against lua-cjson, measured by the same code in the
-- same run: a small document (about 200 bytes, one API record) and a large one
-- (about 1 MB, an array of such records). Each side encodes what it decoded
-- itself (cjson's null and arrays are its own).
-- Run: moonbase run --threads 1 Benchmarks/json.lua [seconds-per-run] [runs]
-- Prints a line per figure and a BENCH| line per figure for Benchmarks/run.
local time = require 'time'
local json = require 'json'
local median = require('bench_util').median

local seconds = tonumber(arg[1]) or 0.2
local runs = tonumber(arg[2]) or 5

local ok, cjson = pcall(require, 'cjson')
if not ok then cjson = nil; print('lua-cjson not found: no reference') end

local function record(i)
  return string.format('{"id":%d,"name":"User %d","email":"user%d@example.com","active":%s,' ..
    '"score":%g,"tags":["admin","staff"],"address":{"city":"Paris","zip":"750%02d"},' ..
    '"note":null,"bio":"likes \\"quotes\\" and \\u00e9","created":"2024-01-01T12:00:00Z"}',
    i, i, i, i % 2 == 0 and 'true' or 'false', i * 1.25, i % 100)
end
local small = record(1)
local items = {}
local size = 0
while size < 1000000 do
  items[#items + 1] = record(#items + 1)
  size = size + #items[#items] + 1
end
local large = '[' .. table.concat(items, ',') .. ']'

-- Operations per second of `op`, run for `seconds`; `batch` calls per clock read.
local function rate(op, batch)
  local n, t0 = 0, time.monotonic()
  repeat
    for _ = 1, batch do op() end
    n = n + batch
  until time.monotonic() - t0 >= seconds
  return n / (time.monotonic() - t0)
end

local function compare(figure, unit_bytes, batch, ours, theirs)
  rate(ours, batch); if theirs then rate(theirs, batch) end  -- warm up (JIT, heap)
  local a, b = {}, {}
  for r = 1, runs do  -- alternate, so both see the same load
    a[r] = rate(ours, batch)
    if theirs then b[r] = rate(theirs, batch) end
  end
  local mine, ref = median(a), theirs and median(b)
  local mb = unit_bytes / 1e6
  print(string.format('%s: %.0f/s (%.1f MB/s); lua-cjson %s', figure, mine, mine * mb,
    ref and string.format('%.0f/s (%.1f MB/s), ratio %.2f', ref, ref * mb, mine / ref) or '-'))
  -- MB/s of JSON text: figures of both sizes read alike in the table.
  print(string.format('BENCH|json %s|%.1f|MB/s|%s|%s|%s', figure, mine * mb,
    ref and 'lua-cjson' or '-', ref and string.format('%.1f', ref * mb) or '-', ref and 'ratio>=1' or '-'))
end

local small_value, large_value = assert(json.decode(small)), assert(json.decode(large))
local c_small, c_large = cjson and cjson.decode(small), cjson and cjson.decode(large)
local encode, decode = json.encode, json.decode
local c_encode, c_decode = cjson and cjson.encode, cjson and cjson.decode
print(string.format('documents: small %d bytes, large %d bytes (%d records); medians of %d runs of %.1f s',
  #small, #large, #items, runs, seconds))

compare(string.format('encode, small (%d B)', #small), #small, 1000,
  function() return encode(small_value) end, cjson and function() return c_encode(c_small) end)
compare(string.format('decode, small (%d B)', #small), #small, 1000,
  function() return decode(small) end, cjson and function() return c_decode(small) end)
compare(string.format('encode, large (%.1f MB)', #large / 1e6), #large, 1,
  function() return encode(large_value) end, cjson and function() return c_encode(c_large) end)
compare(string.format('decode, large (%.1f MB)', #large / 1e6), #large, 1,
  function() return decode(large) end, cjson and function() return c_decode(large) end)
