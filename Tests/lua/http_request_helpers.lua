-- req.args, req.cookies, req.form, req.remote_addr/remote_port, req:json():
-- repeated keys, malformed escapes, huge query strings (bounded by the head
-- size: 431 past it), quoted and repeated cookies, form content types, and
-- laziness (nothing is computed before it is read).
local http = require 'http'
local json = require 'json'
local exchange = require 'helpers.http_exchange'

local function dump(v)
  if v == nil then return 'nil' end
  return json.encode(v)
end

local server = assert(http.serve('127.0.0.1', 0, function(req)
  local lines = {}
  local function add(...) lines[#lines + 1] = table.concat({ ... }, ' ') end
  if req.path == '/lazy' then
    add('before:', tostring(rawget(req, 'args')), tostring(rawget(req, 'cookies')), tostring(rawget(req, 'remote_addr')))
    local args = req.args
    add('after:', tostring(rawget(req, 'args') == args), 'same table twice:', tostring(req.args == args))
  elseif req.path == '/args' then
    add('args', dump(req.args))
  elseif req.path == '/huge' then
    local n = 0
    for _ in pairs(req.args) do n = n + 1 end
    add('keys', n, 'query bytes', #req.query)
  elseif req.path == '/cookies' then
    add('cookies', dump(req.cookies))
  elseif req.path == '/form' then
    add('form', dump(req.form), 'args', dump(req.args))
  elseif req.path == '/peer' then
    add('remote_addr', req.remote_addr, 'port is a number above 0:', tostring(type(req.remote_port) == 'number' and req.remote_port > 0))
  elseif req.path == '/json' then
    local v, err = req:json()
    add('json', dump(v), tostring(err))
  end
  return 200, table.concat(lines, '\n') .. '\n'
end, { max_header_size = 2048 }))
local _, port = server:getsockname()

local function get(target, headers)
  local text = exchange(port, ('GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n'):format(target, headers or ''))
  io.write(text:match('\n\n(.*)$') or text)
end
local function post(path, ctype, body)
  local text = exchange(port, ('POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%sContent-Length: %d\r\n\r\n%s')
    :format(path, ctype and 'Content-Type: ' .. ctype .. '\r\n' or '', #body, body))
  io.write(text:match('\n\n(.*)$') or text)
end

get('/lazy?a=1', 'Cookie: x=1\r\n')
get('/args')
get('/args?')
get('/args?a=1&b=2&a=3&a=&flag&&=empty&c=x%20y+z')
get('/args?bad=%zz%4&pct=100%25&plus=%2B&amp=a%26b&eq=a=b')
get('/args?%E2%9C%93=%C3%A9')
local function many(n)
  local t = {}
  for i = 1, n do t[i] = 'k' .. i .. '=' .. i end
  return table.concat(t, '&')
end
get('/huge?' .. many(200))
print(exchange(port, 'GET /huge?' .. many(300) .. ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'):match('^[^\n]*'))
get('/cookies')
get('/cookies', 'Cookie: a=1; b="two"; c=; a=again;  spaced = yes ;noequals\r\n')
get('/cookies', 'Cookie: session=abc%20def\r\n')
post('/form', 'application/x-www-form-urlencoded', 'title=Hello+world&tag=a&tag=b&n=%zz')
post('/form?x=1', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', 'a=1')
post('/form', 'application/json', '{"a":1}')
post('/form', nil, 'a=1')
post('/form', 'application/x-www-form-urlencoded', '')
get('/peer')
post('/json', 'application/json', '{"title":"x","tags":[1,2]}')
post('/json', 'application/json', '{"title": ')
post('/json', nil, '')
post('/json', nil, 'null')
server:close()
