-- A chunked body arriving a chunk at a time is parsed once (linear in the
-- bytes received): 1-byte chunks sent one per loop turn cost the server about
-- what the same body with Content-Length sent a byte per turn costs. (Parsing
-- every chunk again at each read cost 30 times more.) CPU is the process's:
-- client and server run here alike.
local http = require 'http'
local socket = require 'socket'
local time = require 'time'

local srv = assert(http.serve('127.0.0.1', 0, function(req)
  return 200, tostring(#req.body)
end, { max_body_size = 1048576 }))
local _, port = srv:getsockname()
local N = 12000

local function post(chunked)
  local c = assert(socket.connect('127.0.0.1', port))
  local t0 = os.clock()
  if chunked then
    c:write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
    for _ = 1, N do c:write('1\r\nx\r\n'); time.sleep(0) end
    c:write('0\r\n\r\n')
  else
    c:write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ' .. N .. '\r\n\r\n')
    for _ = 1, N do c:write('x'); time.sleep(0) end
  end
  local reply = ''
  while not reply:find('\r\n\r\n%d+$') do reply = reply .. assert(c:read(nil, 10)) end
  c:close()
  return os.clock() - t0, reply:match('(%d+)$')
end

local cl, got_cl = post(false)
local ch, got_ch = post(true)
print('bodies', got_cl, got_ch)
local ratio = ch / cl
print('chunked costs at most 3 times Content-Length', ratio < 3, ratio < 3 and '' or ratio)
srv:close()
