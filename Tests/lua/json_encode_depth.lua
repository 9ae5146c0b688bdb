-- json.encode must refuse nesting deeper than 1000 levels, as decode does (today
-- it accepts 1001: an off-by-one at the boundary).
local json = require 'json'
local function deep(depth)
  local t = {}; local inner = t
  for _ = 2, depth do local n = {}; inner[1] = n; inner = n end
  inner[1] = 1
  return t
end
print('encode 1000 levels:', pcall(json.encode, deep(1000)) == true)
local ok, err = pcall(json.encode, deep(1001))
print('encode 1001 levels:', ok, ok and '' or (err:match('^[^%[]*')))
print('decode 1001 levels:', json.decode(string.rep('[', 1001) .. string.rep(']', 1001)))
