--! args: --threads 2
-- Every number that reaches a C type is range-checked: -1, 2^31, 2^63, NaN,
-- inf and a fraction raise an argument error naming the function, never crash.
local socket, udp, time = require 'socket', require 'udp', require 'time'
if _CONTEXT ~= 'main' then return end
local channel = require 'channel'
local values = { -1, 2^31, 2^63, 0/0, math.huge, -math.huge, 0.5 }
local function try(name, f)
  local bad = 0
  for _, v in ipairs(values) do
    local ok, err = pcall(f, v)
    if ok then
      if err ~= nil and type(err) ~= 'string' and err.close then err:close() end
    elseif not (tostring(err):find('bad argument', 1, true) or tostring(err):find(' must be ', 1, true)) then
      print(name, v, 'unexpected error:', err)
      bad = bad + 1
    end
  end
  print(name, bad == 0 and 'checked' or 'FAILED')
end
try('socket.listen port', function(v) return socket.listen('tcp', '127.0.0.1', v) end)
try('socket.listen backlog', function(v) return socket.listen('tcp', '127.0.0.1', 0, { backlog = v }) end)
try('socket.listen read_limit', function(v) return socket.listen('tcp', '127.0.0.1', 0, { read_limit = v }) end)
try('socket.connect port', function(v) return socket.connect('127.0.0.1', v) end)
local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local c = assert(socket.connect('127.0.0.1', select(2, l:getsockname())))
try('conn:setreadlimit', function(v) return c:setreadlimit(v) end)
try('conn:settimeout', function(v) if v ~= v or v < 0 or v == math.huge or v == -math.huge then return c:settimeout(v) end error('bad argument (skipped: valid)') end)
try('udp port', function(v) return udp.bind('127.0.0.1', v) end)
try('time.sleep', function(v) if v == v and v >= 0 and v < math.huge then error('bad argument (skipped: valid)') end return time.sleep(v) end)
try('spawn_vm thread', function(v) return spawn_vm('.', { thread = v }) end)
try('spawn_vm inbox_capacity', function(v) return spawn_vm('.', { inbox_capacity = v }) end)
c:close(); l:close()
