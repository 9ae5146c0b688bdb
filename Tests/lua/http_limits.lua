-- http: every documented limit at its exact boundary. The head (request line,
-- headers and the blank line ending them) may be max_header_size bytes, one
-- more is 431; the body may be max_body_size bytes, one more is 413 (also
-- chunked); the defaults are 8192 and 1 MiB; an option below 1 raises.
local http = require 'http'
local socket = require 'socket'

local function handler(req) return 200, 'got ' .. #req.body end
local small = assert(http.serve('127.0.0.1', 0, handler, { max_header_size = 256, max_body_size = 16 }))
local default = assert(http.serve('127.0.0.1', 0, handler))

-- The status line and body of the answer to `data`.
local function ask(srv, data)
  local _, port = srv:getsockname()
  local c = assert(socket.connect('127.0.0.1', port))
  assert(c:write(data))
  local out = {}
  while true do
    local d = c:read()
    if not d then break end
    out[#out + 1] = d
  end
  c:close()
  local reply = table.concat(out)
  return reply:match('^HTTP/1%.1 (%d+)'), reply:match('\r\n\r\n(.*)$')
end

-- A GET whose head is exactly `size` bytes.
local function head_of(size)
  local base = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: \r\n\r\n'
  return (base:gsub('X%-Pad: ', 'X-Pad: ' .. string.rep('p', size - #base)))
end
-- A POST whose Content-Length says `size`; `body` (default: all of it) follows.
-- Over the limit only the head is sent: the 413 comes from it, and unread
-- bytes would make the server's close a reset.
local function post(size, body)
  return 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ' .. size .. '\r\n\r\n'
    .. (body or string.rep('b', size))
end
local function chunked(size, whole)
  local head = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n'
    .. string.format('%x', size) .. '\r\n'
  if not whole then return head end
  return head .. string.rep('c', size) .. '\r\n0\r\n\r\n'
end

print('head 256 of 256:', #head_of(256), ask(small, head_of(256)))
print('head 257 of 256:', #head_of(257), (ask(small, head_of(257))))
print('head 8192 by default:', #head_of(8192), ask(default, head_of(8192)))
print('head 8193 by default:', #head_of(8193), (ask(default, head_of(8193))))
print('body 16 of 16:', ask(small, post(16)))
print('body 17 of 16:', (ask(small, post(17, ''))))
print('chunked 16 of 16:', ask(small, chunked(16, true)))
print('chunked 17 of 16:', (ask(small, chunked(17, false))))
local MiB = 1024 * 1024
print('body 1 MiB by default:', ask(default, post(MiB)))
print('body 1 MiB + 1 by default:', (ask(default, post(MiB + 1, ''))))
print('chunked 1 MiB by default:', ask(default, chunked(MiB, true)))
print('chunked 1 MiB + 1 by default:', (ask(default, chunked(MiB + 1, false))))
small:close(); default:close()

-- options: 1 is the smallest accepted value
for _, opts in ipairs({ { max_header_size = 0 }, { max_body_size = 0 }, { max_header_size = 1.5 } }) do
  print(pcall(http.serve, '127.0.0.1', 0, handler, opts))
end
local tiny = assert(http.serve('127.0.0.1', 0, handler, { max_header_size = 1, max_body_size = 1 }))
print('max_header_size = 1 accepted, every head too large:', (ask(tiny, head_of(60))))
tiny:close()
