-- http: req.target, a handler returning nothing, header values with CR/LF
-- dropped, and a handler raising after res:write. Requests carry Host and the
-- checks ignore headers they are not about (Date may be added).
local http = require 'http'
local socket = require 'socket'

local srv = assert(http.serve('127.0.0.1', 0, function(req, res)
  if req.path == '/target' then
    return 200, 'target=' .. req.target .. ' path=' .. req.path .. ' query=' .. tostring(req.query)
  elseif req.path == '/nothing' then
    return
  elseif req.path == '/crlf-returned' then
    return 200, 'body', { ['X-Good'] = 'fine', ['X-Bad'] = 'a\r\nInjected: yes', ['X-Lf'] = 'b\nInjected2: yes' }
  elseif req.path == '/crlf-res' then
    res:header('X-Good', 'fine'):header('X-Bad', 'a\r\nInjected: yes'):header('X-Cr', 'c\rd')
    res:finish('body')
  elseif req.path == '/raise-after-write' then
    res:write('first part ')
    error('failed after writing', 0)
  end
  return 404, 'no such path'
end))
local _, port = srv:getsockname()

-- Sends one request and reads until the server closes the connection.
local function exchange(data)
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
  local head, body = reply:match('^(.-\r\n)\r\n(.*)$')
  return reply:match('^HTTP/1%.1 (%d+)'), head or reply, body
end
local function get(target)
  return exchange('GET ' .. target .. ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
end
local function header(head, name)
  for n, v in head:gmatch('\r\n([^:\r\n]+): ([^\r\n]*)') do
    if n:lower() == name then return v end
  end
end

local status, head, body = get('/target?a=1&b=%20x')
print(status, body)
status, head, body = get('/target')
print(status, body)

status, head, body = get('/nothing')
print('returning nothing:', status, 'content-length', header(head, 'content-length'), 'body', ('%q'):format(body))

for _, path in ipairs({ '/crlf-returned', '/crlf-res' }) do
  status, head, body = get(path)
  print(path, status, 'good kept', header(head, 'x-good'), 'bad dropped', header(head, 'x-bad') == nil and header(head, 'x-lf') == nil and header(head, 'x-cr') == nil,
    'nothing injected', head:lower():find('injected') == nil, body)
end

status, head, body = get('/raise-after-write')
print('raise after write:', status, 'chunked', header(head, 'transfer-encoding'),
  'first part sent', body:find('first part ', 1, true) ~= nil,
  'no last chunk', body:find('\r\n0\r\n\r\n$') == nil, 'no 500 after it', body:find('HTTP/1.1 500', 1, true) == nil)
print('still serves:', (get('/target')))
srv:close()
