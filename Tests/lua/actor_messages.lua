-- every sendable type round-trips exactly; unsendable values raise at send and nothing is delivered
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  -- echo actor: sends back whatever it gets
  local m = inbox:receive()
  local back = m.reply
  while true do
    local v = inbox:receive()
    if v == 'stop' then break end
    back:send({ v })
  end
  return
end

local echo = spawn_vm('.')
echo:send({ reply = inbox })
local function roundtrip(v) assert(echo:send(v)); return inbox:receive()[1] end

local function same(a, b, seen)
  if type(a) ~= type(b) then return false end
  if type(a) ~= 'table' then
    if a ~= a then return b ~= b end  -- NaN
    return a == b and (a ~= 0 or 1 / a == 1 / b)
  end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local samples = {
  true, false, 0, -0.0, 1, -1, 2^31, -2^31 - 1, 2^53, 0.1, 1e308, -1e-308, 1/0, -1/0,
  '', 'hello', ('\0\1\255'):rep(3), ('x'):rep(100000),
  {}, { 1, 2, 3 }, { a = 1, b = { c = { d = 'deep' } } }, { [1.5] = 'float key', [true] = 'bool key', [-3] = 'neg' },
  { 1, 2, nil, 4 }, { n = 0 / 0 },
}
for i, v in ipairs(samples) do
  if not same(v, roundtrip(v)) then print('MISMATCH at sample', i) end
end
print('samples round-trip')
print('nil in a table slot:', roundtrip(nil))

-- fuzz: random nested values round-trip identical
math.randomseed(7)
local function random_value(depth)
  local r = math.random(1, depth > 3 and 5 or 7)
  if r == 1 then return math.random() < 0.5
  elseif r == 2 then return math.random(-1e9, 1e9)
  elseif r == 3 then return math.random() * 1e6 - 5e5
  elseif r == 4 or r == 5 then
    local t = {}
    for i = 1, math.random(0, 20) do t[i] = string.char(math.random(0, 255)) end
    return table.concat(t)
  else
    local t = {}
    for i = 1, math.random(0, 6) do t[i] = random_value(depth + 1) end
    for _ = 1, math.random(0, 6) do t['k' .. math.random(1, 100)] = random_value(depth + 1) end
    return t
  end
end
local mismatches = 0
for _ = 1, 500 do
  local v = random_value(0)
  if not same(v, roundtrip(v)) then mismatches = mismatches + 1 end
end
print('fuzz mismatches', mismatches)

-- addresses travel and compare equal
local got = roundtrip(echo)
print('address round-trips:', got == echo, rawequal(got, echo), tostring(got):match('^address') ~= nil)
print('inbox sends own address:', roundtrip(inbox) == roundtrip(inbox))

-- refused: functions, coroutines, userdata, cycles, deep nesting, bad keys, metatables
local cyclic = {}; cyclic.self = cyclic
local deep = {}; local cur = deep
for _ = 1, 100 do cur.next = {}; cur = cur.next end
local refused = {
  function() end, coroutine.create(function() end), io.stdout, cyclic, deep,
  { [{}] = 1 }, setmetatable({}, {}), { ok = 1, bad = { print } },
}
for _, v in ipairs(refused) do
  local ok, err = pcall(echo.send, echo, v)
  print(ok, (err:gsub('^.-address:send', 'address:send')))
end
-- nothing was half-sent: the next message is the first the echo gets after those
print('after refusals:', roundtrip('clean'))
print(pcall(echo.send, 'not an address', 1))
echo:send('stop')
