-- The soak's server (soak/run): HTTP on loopback (arg[1] = port) with
-- /ok, /error (handler raises), /file (writes and reads a file)
-- and, in the background, messages to an actor that crashes now and then
-- and is restarted by the shipped supervisor.
local http, fs, time = require 'http', require 'fs', require 'time'
local inbox = require 'inbox'
local port = tonumber(arg[1])
local dir = arg[2]

local sup = spawn_vm('supervisor')
sup:send({ children = { { name = 'echo', module = 'echo_actor', restart = 'permanent' } },
           max_restarts = 1000000, within = 1 })
local function echo_address()
  sup:send({ cmd = 'which', name = 'echo', reply = inbox })
  while true do  -- the echo's own replies ({n=}) are skipped
    local m = inbox:receive()
    if m.name == 'echo' then return m.address end
  end
end
local counter = 0

local served = 0
assert(http.serve('127.0.0.1', port, function(req)
  served = served + 1
  if req.path == '/ok' then return 200, 'ok' end
  if req.path == '/error' then error('soak: handler error on purpose') end
  if req.path == '/file' then
    local path = dir .. '/f' .. (served % 16)
    assert(fs.writefile(path, string.rep('s', 4096)))
    return 200, (#assert(fs.readfile(path)) == 4096) and 'ok' or 'bad'
  end
  return 404, 'no'
end, { reuseport = false }))

-- Actors: a stream of messages to the echo actor, which crashes every 500th.
spawn(function()
  local me = inbox
  while true do
    local echo = echo_address()
    if echo then
      counter = counter + 1
      echo:send({ n = counter, reply = me })
    end
    time.sleep(0.005)
  end
end):detach()
print('soak server ready')
io.stdout:flush()
