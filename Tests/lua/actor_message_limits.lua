--! args: --threads 2
-- Message limits at their exact boundaries: 64 levels of nesting pass, 65 are
-- refused; 64 MiB encoded pass (a string costs 5 bytes besides its own: a tag
-- and a length), one byte more is refused. A refused message is not delivered.
-- And a crashed actor's monitor `reason` carries its traceback.
local inbox = require 'inbox'

if _CONTEXT == 'worker' then
  local m = inbox:receive()
  if m.cmd == 'crash' then
    local function inner_function_that_fails() error('crashed on purpose') end
    inner_function_that_fails()
  end
  local reply = m.reply
  while true do
    local v = inbox:receive()
    if v == 'stop' then return end
    local depth = 0
    while type(v) == 'table' do depth = depth + 1; v = v[1] end
    reply:send({ depth = depth, bytes = type(v) == 'string' and #v or nil })
  end
end

local echo = spawn_vm('.')
echo:send({ reply = inbox })

local function nested(levels)
  local t = {}
  for _ = 2, levels do t = { t } end
  return t
end
local function try(v)
  local ok, err = pcall(echo.send, echo, v)
  if not ok then return 'refused: ' .. err:gsub('^.-address:send', 'address:send') end
  local r = inbox:receive()
  return r.bytes and ('delivered ' .. r.bytes .. ' bytes') or ('delivered ' .. r.depth .. ' levels')
end

print('64 levels:', try(nested(64)))
print('65 levels:', try(nested(65)))
local MiB64 = 64 * 1024 * 1024
print('64 MiB encoded:', try(string.rep('x', MiB64 - 5)))
print('64 MiB + 1 encoded:', try(string.rep('x', MiB64 - 4)))
print('in a table, over by one:', try({ string.rep('x', MiB64 - 9 - 5 + 1) }))
print('in a table, exactly:', try({ string.rep('x', MiB64 - 9 - 5) }))
print('after refusals:', try(nested(2)))
echo:send('stop')

-- monitor reason: the error with the crashed actor's traceback
local crasher = spawn_vm('.', { monitor = true })
crasher:send({ cmd = 'crash' })
local down = inbox:receive()
print(down.event, down.from == crasher)
local reason = down.reason
print('reason starts with the error:', reason:match('^[^\n]*actor_message_limits%.lua:%d+: crashed on purpose\n') ~= nil)
print('then a traceback:', reason:find('\nstack traceback:\n', 1, true) ~= nil)
print('naming the failing function:', reason:find('inner_function_that_fails', 1, true) ~= nil)
