-- For OutOfMemoryTests (run under ulimit -v, arg[1] a scratch folder): once
-- Lua has taken all memory left, the copies Swift makes of a big value (a
-- message, an fs write or read buffer) fail with 'not enough memory' in the
-- caller, and the process goes on; big HTTP bodies and socket writes are sent
-- from the Lua string itself (no copy to fail).
local http, socket, fs = require 'http', require 'socket', require 'fs'
local MiB = 1024 * 1024
-- Over 64 MiB: more than a malloc arena can hold in the space it reserved already.
local big = string.rep('b', 96 * MiB)
local message = { string.rep('m', 48 * MiB) }  -- the encoder's memory grows to 64 MiB
collectgarbage(); collectgarbage()
local actor = spawn_vm('receive_once')
local server = assert(http.serve('127.0.0.1', 0, function(req)
  if req.path == '/big' then return 200, big end
  return 200, 'small'
end))
local _, port = socket.getsockname(server)
local sink = assert(socket.listen('tcp', '127.0.0.1', 0))  -- never accepts: writes to it block
local _, sink_port = socket.getsockname(sink)
local writer = assert(socket.connect('127.0.0.1', sink_port))
local file = assert(fs.open(arg[1] .. '/big', 'w+'))

local function get(path)
  local c = assert(socket.connect('127.0.0.1', port))
  assert(socket.write(c, 'GET ' .. path .. ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
  local got, err = socket.read(c)
  socket.close(c)
  return got and got:match('^HTTP/1.1 (%d+)') or err
end
local function without_location(ok, err) return ok, (tostring(err):gsub('^[^:]*:%d+: ', '')) end

-- Take every byte left: strings of distinct lengths (equal ones would be one string).
local filler = {}
while true do
  local ok, s = pcall(string.rep, 'f', 4 * MiB + #filler)
  if not ok then break end
  filler[#filler + 1] = s
end
print('filled:', #filler > 10)
print('send:', without_location(pcall(actor.send, actor, message)))
print('http big:', get('/big'))
-- A big write is no longer copied (the connection keeps the Lua string):
-- to a peer that never reads it waits, and its timeout ends it.
print('socket.write:', socket.write(writer, big, 0.3))
print('fs.write:', fs.write(file, big))
print('fs.read:', fs.read(file, 64 * MiB))

filler = nil
collectgarbage(); collectgarbage()
print('http small:', get('/small'))
print('send small:', actor:send('stop'))
print('still alive')
os.exit(0)
