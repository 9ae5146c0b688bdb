-- http: every malformed or over-limit request gets its 4xx answer and the
-- connection is closed after it; the server goes on serving.
local http = require 'http'
local socket = require 'socket'

local handled = 0
local srv = assert(http.serve('127.0.0.1', 0, function(req)
  handled = handled + 1
  return 200, 'ok'
end, { max_header_size = 256, max_body_size = 16 }))
local _, port = srv:getsockname()

local cases = {
  { 'bad request line', 'GARBAGE\r\n\r\n' },
  { 'no version', 'GET /\r\n\r\n' },
  { 'HTTP/2.0', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n' },
  { 'HTTP/1.2', 'GET / HTTP/1.2\r\nHost: x\r\n\r\n' },
  { 'header without colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n' },
  { 'obsolete line folding', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n' },
  { 'conflicting Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' },
  { 'Content-Length not a number', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\na' },
  { 'negative Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n' },
  { 'Content-Length with chunked', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' },
  { 'transfer coding gzip', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc' },
  { 'chunk size not hex', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n' },
  { 'chunk data too long', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n' },
  { 'chunk without CRLF', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n' },
  { 'head over 256 bytes', 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' .. string.rep('a', 300) .. '\r\n\r\n' },
  { 'body over 16 bytes', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n' .. string.rep('b', 17) },
  { 'chunked body over 16 bytes', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n' .. string.rep('c', 17) .. '\r\n0\r\n\r\n' },
  { 'NUL in header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n' },
}

local sleep = require('time').sleep

-- Sends data, reads until the server closes; a connection still open after 2 s
-- (far longer than an answer takes) is reported as kept open.
local function exchange(data)
  local c = assert(socket.connect('127.0.0.1', port))
  c:write(data)
  local all, closed = {}, false
  local reader = spawn(function()
    while true do
      local chunk = c:read()
      if not chunk then closed = true; return end
      all[#all + 1] = chunk
    end
  end)
  local waited = 0
  while not closed and waited < 2 do sleep(0.01); waited = waited + 0.01 end
  local closed_by_server = closed
  c:close()
  pcall(reader.join, reader)
  return table.concat(all), closed_by_server
end

for _, case in ipairs(cases) do
  local reply, closed = exchange(case[2])
  local status = reply:match('^HTTP/1%.1 (%d%d%d)') or 'no answer'
  local answers = select(2, reply:gsub('HTTP/1%.1 %d%d%d', ''))
  print(case[1], status, 'answers: ' .. answers, closed and 'closed' or 'kept open')
end
print('handler called for none of them:', handled == 0)
print('still serves:', exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'):match('^HTTP/1%.1 200') ~= nil)
srv:close()
