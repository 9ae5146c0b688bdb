-- json: encode/decode shipped with the runtime
local json = require('json')
local mysql = require('mysql')

-- encode: scalars, arrays, objects (keys sorted), null, escapes
print(json.encode(nil), json.encode(true), json.encode(false), json.encode(42), json.encode(-0.5), json.encode(1e300))
print(json.encode(2^53), json.encode(0.1), json.encode(1/3))
print(json.encode('tab\there "quoted" back\\slash \1 nl\n del\127 é'))
print(json.encode({ 1, 2, 'three', { 4 } }))
print(json.encode({ name = 'ann', id = 7, tags = { 'a', 'b' }, nested = { deep = { x = true } } }))
print(json.encode({}), json.encode(json.array()), json.encode(json.array({ 1, 2 })))
print(json.encode({ note = mysql.null, list = { 1, json.null, 3 } }), json.null == mysql.null)

-- encode errors name the place
local function try(...) print(pcall(...)) end
try(json.encode, { f = print })
try(json.encode, { users = { { id = 1 }, { id = 0/0 } } })
try(json.encode, { 1, 2, x = 3 })
try(json.encode, { [1] = 'a', [3] = 'c' })
try(json.encode, { [true] = 1 })
try(json.encode, { ['two words'] = { 1.5 } , ok = 1, [2.5] = 1 })
local cyc = {}; cyc.self = cyc
try(json.encode, cyc)
try(json.encode, setmetatable({}, {}))
try(json.encode, math.huge)

-- decode
local v = json.decode(' {"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\ud83d\\ude00\\n"], "b": {}, "c": [] } ')
print(v.a[1], v.a[2], v.a[3], v.a[4], v.a[5], v.a[6] == json.null, v.a[7])
print(json.encode(v.b), json.encode(v.c), #v.a)
print(json.decode('"plain"'), json.decode('0'), json.decode('-0.25'), json.decode('  null ') == json.null)
-- round trip
local t = { id = 12, name = 'Zoë "z" \\', scores = { 1, 2.25, -7 }, empty = json.array(), obj = {} }
print(json.encode(json.decode(json.encode(t))) == json.encode(t))

-- decode errors are values
for _, text in ipairs({ '', '{', '[1,]', '{"a" 1}', '{a:1}', '01', '1.', '.5', '-', '1e', '"abc', '"a\1b"',
    '"\\x"', '"\\ud800"', 'tru', '[1] x', 'nul', '{"a":1,}', '"\\u12g4"' }) do
  print(('%-10s'):format((text:gsub('%c', '?'))), json.decode(text))
end
local deep = ('['):rep(1001) .. (']'):rep(1001)
print('deep:', json.decode(deep))
try(json.decode, 42)
try(json.array, 'x')
