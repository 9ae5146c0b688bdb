-- json: the Swift encoder and decoder against the pure-Lua module they replaced
-- (helpers/json_reference.lua), on a few thousand generated values and texts:
-- the same text, the same decoded values (arrays marked), the same errors.
local json = require 'json'
local reference = require 'helpers.json_reference'
local array_mt = debug.getmetatable(json.array())

local seed = 12345
local function random(n)  -- deterministic on every platform: a small LCG
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local strings = { '', 'a', 'id', 'two words', 'é', 'x"y', 'back\\slash', 'nl\n', '\0', '\127', 'tab\t',
  '😀', '_k9', '9k', 'Z', 'aa', 'a\0b', ('long'):rep(20),
  -- escapes where the encoder's word-at-a-time paths change (8 bytes a word)
  '"bcdefghi', 'abcdefgh\n', 'abcdefg\\hijklmno', 'abcdefghijklmno\127', 'abcdef\t' }
local numbers = { 0, -0.0, 1, -1, 42, 0.1, -0.25, 1 / 3, 2 ^ 53, 2 ^ 53 + 2, -2 ^ 53, 1e300, 5e-324,
  123456789012345, 1e15 + 0.5, 0 / 0, math.huge, -math.huge, 3.14159, 1e-7, 2 ^ 63 }
local oddities = { print, coroutine.create(print), true, false, json.null, io.stdout }

local function value(depth)
  local kind = random(depth > 3 and 4 or 9)
  if kind == 1 then return strings[random(#strings)] end
  if kind == 2 then return numbers[random(#numbers)] end
  if kind == 3 then return random(2) == 1 end
  if kind == 4 then return random(20) == 1 and oddities[random(#oddities)] or json.null end
  local t = {}
  if kind <= 6 then
    for i = 1, random(5) - 1 do t[i] = value(depth + 1) end
    if random(10) == 1 then t[random(6)] = 1 end                 -- sparse or not
    if random(8) == 1 then json.array(t) end
  else
    for _ = 1, random(5) - 1 do t[strings[random(#strings)]] = value(depth + 1) end
    if random(15) == 1 then t[random(3)] = 'mixed' end
    if random(30) == 1 then t[2.5] = 'bad key' end
    if random(30) == 1 then t[true] = 'bad key' end
    if random(40) == 1 then setmetatable(t, {}) end
  end
  if random(40) == 1 then t[#t + 1] = t end                      -- a cycle
  return t
end

-- Texts: encodings of generated values, then damaged ones.
local pieces = { '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', 'd800', 'dc00', '\\ud83d\\ude00', 'e', '-',
  '.', '0', '1', ' ', '\n', 'tru', 'null', '\1', '\\x', '"k":', '1e400', '-0', '01', '' }
local function text()
  local ok, s = pcall(reference.encode, value(0))
  s = ok and s or '[1,2]'
  for _ = 1, random(3) - 1 do
    local at = random(#s + 1) - 1
    if random(2) == 1 then
      s = s:sub(1, at) .. pieces[random(#pieces)] .. s:sub(at + 1)
    else
      s = s:sub(1, at) .. s:sub(at + 2)
    end
  end
  return s
end

-- Decoded values compared through the reference encoder, plus their marks.
local function same_value(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= 'table' then return a == b or (a ~= a and b ~= b) end
  if debug.getmetatable(a) ~= debug.getmetatable(b) then return false end
  for k, v in pairs(a) do if not same_value(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local encodes, decodes, failures = 0, 0, 0
for _ = 1, 3000 do
  local v = value(0)
  local ok1, r1 = pcall(json.encode, v)
  local ok2, r2 = pcall(reference.encode, v)
  encodes = encodes + 1
  if ok1 ~= ok2 or r1 ~= r2 then
    failures = failures + 1
    print('encode differs:', ok1, r1, ok2, r2)
  end
end
for _ = 1, 3000 do
  local s = text()
  local v1, e1 = json.decode(s)
  local v2, e2 = reference.decode(s)
  decodes = decodes + 1
  if e1 ~= e2 or not same_value(v1, v2) or (type(v1) == 'table' and debug.getmetatable(v1) ~= debug.getmetatable(v2)) then
    failures = failures + 1
    print(('decode differs on %q:'):format(s), e1, e2)
  end
end
-- Large objects (their values wait in a scratch table, not on the stack) and
-- deep ones, with a refusal at the bottom.
local big, deep = {}, {}
for i = 1, 5000 do big['k' .. i] = (i % 7 == 0) and { i, 'x' } or i end
local inner = deep
for i = 1, 999 do local t = { a = i, b = 'b', c = true }; inner.next = t; inner = t end
for _, v in ipairs({ big, { list = { big, big } }, deep }) do
  local ok1, r1 = pcall(json.encode, v)
  local ok2, r2 = pcall(reference.encode, v)
  if ok1 ~= ok2 or r1 ~= r2 then failures = failures + 1; print('large encode differs', ok1, ok2) end
end
big.k4999 = { f = print }
inner.bad = 0 / 0
for _, v in ipairs({ big, deep }) do
  local ok1, r1 = pcall(json.encode, v)
  local ok2, r2 = pcall(reference.encode, v)
  if ok1 ~= ok2 or r1 ~= r2 then failures = failures + 1; print('large refusal differs', r1, r2) end
  print('refused:', ok1, (r1:gsub('next%.', '')))
end
-- A decoded array carries the runtime's own mark.
print('mark:', debug.getmetatable(json.decode('[]')) == array_mt)
print(('%d encodes, %d decodes compared, %d differences'):format(encodes, decodes, failures))
