-- http fuzz: random bytes, mutated and truncated requests never crash or hang the
-- server; every connection ends (response or close) and the server keeps serving.
local http = require 'http'
local socket = require 'socket'
local sleep = require('time').sleep

math.randomseed(12345)
local served = 0
local srv = assert(http.serve('127.0.0.1', 0, function(req)
  served = served + 1
  return 200, 'ok ' .. #req.body
end, { max_header_size = 2048, max_body_size = 4096 }))
local _, port = srv:getsockname()

local samples = {
  'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody',
  'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
}
local alphabet = { '\r', '\n', ' ', ':', '0', 'a', 'Z', '\0', '\255', 'HTTP/1.1', '\r\n', '\r\n\r\n', '-', ';', 'f' }

local function mutate(s)
  local kind = math.random(4)
  if kind == 1 then  -- truncate
    return s:sub(1, math.random(0, #s))
  elseif kind == 2 then  -- random bytes
    local t = {}
    for i = 1, math.random(1, 200) do t[i] = string.char(math.random(0, 255)) end
    return table.concat(t)
  elseif kind == 3 then  -- flip some bytes
    local b = { s:byte(1, -1) }
    for _ = 1, math.random(1, 4) do b[math.random(#b)] = math.random(0, 255) end
    return string.char(unpack(b))
  else  -- insert tokens
    local out = s
    for _ = 1, math.random(1, 3) do
      local at = math.random(0, #out)
      out = out:sub(1, at) .. alphabet[math.random(#alphabet)] .. out:sub(at + 1)
    end
    return out
  end
end

local ended, responses, bad_status, left_open = 0, 0, 0, 0
local by_class = {}
local N = 300
local fibers = {}
for i = 1, N do
  local base = samples[(i % #samples) + 1]
  local data = mutate(base)
  fibers[#fibers + 1] = spawn(function()
    local c = assert(socket.connect('127.0.0.1', port))
    c:write(data)
    -- half the clients close right away (truncated request, then gone)
    if i % 2 == 0 then c:close(); return end
    local got, closed = {}, false
    local reader = spawn(function()
      while true do
        local chunk = c:read()
        if not chunk then closed = true; return end
        got[#got + 1] = chunk
      end
    end)
    -- a request still incomplete after 0.5 s is abandoned by the client (the
    -- clients wait at once, so this costs 0.5 s in all; an answer takes far less)
    local waited = 0
    while not closed and waited < 0.5 do sleep(0.01); waited = waited + 0.01 end
    local closed_by_server = closed
    c:close()
    reader:join()
    local status = table.concat(got):match('^HTTP/1.1 (%d)%d%d')
    if status then
      responses = responses + 1
      by_class[status] = (by_class[status] or 0) + 1
      if status ~= '2' and status ~= '4' then bad_status = bad_status + 1 end
      if status == '4' and not closed_by_server then left_open = left_open + 1 end
    elseif #got > 0 then
      bad_status = bad_status + 1  -- bytes that are not an HTTP/1.1 status line
    end
  end)
end
for _, f in ipairs(fibers) do f:join(); ended = ended + 1 end
-- after all that, a good request still works
local c = assert(socket.connect('127.0.0.1', port))
c:write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
local reply = c:read()
print('clients ended', ended)
print('answers', responses, '2xx', by_class['2'] or 0, '4xx', by_class['4'] or 0)
print('answers neither 2xx nor 4xx:', bad_status, '4xx left open:', left_open)
-- the valid samples, each on its own connection, are answered
for i, req in ipairs(samples) do
  local v = assert(socket.connect('127.0.0.1', port))
  v:write(req)
  print('sample ' .. i, (v:readline()))
  v:close()
end
print('server alive', reply:match('^HTTP/1.1 200 OK') ~= nil, reply:match('ok 0$') ~= nil)
c:close()
srv:close()
