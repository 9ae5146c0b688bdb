-- http.serve timeouts: a head sent too slowly (slowloris) gets 408 and is
-- closed; an idle keep-alive connection is closed without a response; a body
-- stalled between reads gets 408; a fast client is served. Bad timeout options
-- are refused at serve.
local http = require 'http'
local socket = require 'socket'
local time = require 'time'

local srv = assert(http.serve('127.0.0.1', 0, function(req) return 200, 'ok ' .. #req.body end,
  { header_timeout = 0.3, idle_timeout = 0.2, body_timeout = 0.2, send_timeout = 1 }))
local _, port = srv:getsockname()

-- Reads until the server closes (at most 3 s); returns what came and the time.
local function drain(c)
  local t0, out = time.monotonic(), {}
  while true do
    local d = c:read(nil, 3)
    if not d then break end
    out[#out + 1] = d
  end
  return (table.concat(out):gsub('Date: [^\r]*\r\n', ''):gsub('\r\n', '|')), time.monotonic() - t0
end

-- Slowloris: a header byte every 0.1 s never completes within 0.3 s.
local c = assert(socket.connect('127.0.0.1', port))
local t0 = time.monotonic()
local feeder = spawn(function()
  local req = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' .. string.rep('a', 100)
  for i = 1, #req do
    if not c:write(req:sub(i, i)) then return end
    time.sleep(0.1)
  end
end)
local reply = drain(c)
local took = time.monotonic() - t0
print('slow head:', reply)
print('closed after the header timeout', took >= 0.3 and took < 2)
c:close()
pcall(feeder.join, feeder)

-- Idle keep-alive: one request answered, then closed without a response.
c = assert(socket.connect('127.0.0.1', port))
c:write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
t0 = time.monotonic()
reply = drain(c)
took = time.monotonic() - t0
print('idle:', reply)
print('closed after the idle timeout', took >= 0.2 and took < 2)
c:close()

-- A body that stalls.
c = assert(socket.connect('127.0.0.1', port))
c:write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
reply = drain(c)
print('stalled body:', reply)
c:close()

-- A body that keeps coming (each piece within the body timeout) is read.
c = assert(socket.connect('127.0.0.1', port))
c:write('POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 6\r\n\r\n')
for _, piece in ipairs({ 'ab', 'cd', 'ef' }) do time.sleep(0.12); c:write(piece) end
print('slow but steady body:', (drain(c)))
c:close()
srv:close()

for _, bad in ipairs({ -1, 2^31, 2^63, 0/0, math.huge, 'x' }) do
  print(pcall(http.serve, '127.0.0.1', 0, function() end, { idle_timeout = bad }))
end
print(pcall(http.serve, '127.0.0.1', 0, function() end, { max_body_size = 2^62 }))
