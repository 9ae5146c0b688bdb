-- json: nesting limit at exactly 1000 levels both ways, numbers around 2^53,
-- -0, 1E400, and what encode refuses.
local json = require 'json'

local function nested(depth) return string.rep('[', depth) .. string.rep(']', depth) end
print('decode 1000 levels:', json.decode(nested(1000)) ~= nil)
print('decode 1001 levels:', json.decode(nested(1001)))
-- (encode at 1000 and 1001 levels: pending/json_encode_depth.lua)
local function deep(depth)
  local t = {}; local inner = t
  for _ = 2, depth do local n = {}; inner[1] = n; inner = n end
  inner[1] = 1
  return t
end
local ok, err = pcall(json.encode, deep(1002))
print('encode 1002 levels:', ok, (err:match('^[^%[]*')))

print('2^53:', json.encode(2^53), '2^53+2:', json.encode(2^53 + 2), '-2^53:', json.encode(-2^53))
print('decode 9007199254740993:', ('%.17g'):format(json.decode('9007199254740993')))
print('-0:', json.encode(-0), 1 / json.decode('-0'))
print('1E400:', json.decode('1E400'), json.decode('-1e400'))
print('0.1:', json.encode(0.1), '1/3:', json.encode(1 / 3))
print('nan:', pcall(json.encode, 0 / 0))
print('inf:', pcall(json.encode, math.huge))
