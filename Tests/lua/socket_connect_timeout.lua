--! args: --threads 2
-- socket.connect(host, port, {timeout=}): a listener whose worker is busy
-- (its loop never accepts) with a full backlog drops new SYNs, so a connect
-- waits; with a timeout it returns nil, "timeout" no earlier than asked. Bad
-- timeouts are bad arguments; lunet.socket's connect (two arguments) is unchanged.
local socket = require 'socket'
local time = require 'time'
local inbox = require 'inbox'

if _CONTEXT ~= 'main' then
  local reply = inbox:receive()
  local l = assert(socket.listen('tcp', '127.0.0.1', 0, { backlog = 1 }))
  reply:send(select(2, l:getsockname()))
  local t = os.clock() + 1.5
  while os.clock() < t do end  -- the loop of this worker accepts nothing meanwhile
  l:close()
  return
end

local busy = spawn_vm('.', { thread = 2 })
busy:send(inbox)
local port = inbox:receive()
local held, result, t0 = {}, nil, nil
for i = 1, 6 do
  t0 = time.monotonic()
  local c, err = socket.connect('127.0.0.1', port, { timeout = 0.1 })
  if not c then result = err; break end
  held[#held + 1] = c
end
print('connect', nil, result)
print('waited enough', time.monotonic() - t0 >= 0.1)
print('quickly given up', time.monotonic() - t0 < 1)

-- The timer keeps nothing alive and the connection is usable once accepted.
local l2 = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port2 = l2:getsockname()
local c = assert(socket.connect('127.0.0.1', port2, { timeout = 5 }))
local s = assert(l2:accept(1))
c:write('ping')
print('after a timed connect', s:read(4))
c:close(); s:close(); l2:close()

print(pcall(socket.connect, '127.0.0.1', port, { timeout = -1 }))
print(pcall(socket.connect, '127.0.0.1', port, { timeout = math.huge }))
print(pcall(socket.connect, '127.0.0.1', port, 5))
local lunet = require 'lunet.socket'
local lc = lunet.connect('127.0.0.1', port2)
print('lunet connect to a closed port', lc)
for _, h in ipairs(held) do h:close() end

