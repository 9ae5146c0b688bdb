-- res:cookie: attributes, values that could inject headers or attributes
-- (CR, LF, ';', ',', spaces, quotes) refused, bad names and options refused, a
-- cookie after the head was sent refused. (Several cookies: http_cookie_list.)
local http = require 'http'
local exchange = require 'helpers.http_exchange'

local function try(res, ...)
  local ok, err = pcall(res.cookie, res, ...)
  print(ok, (tostring(err):gsub('^[^:]*:%d+: ', '')))
end

local server = assert(http.serve('127.0.0.1', 0, function(req, res)
  if req.path == '/one' then
    res:cookie('session', 'abc123', { path = '/', domain = 'example.com', max_age = 3600,
      http_only = true, secure = true, same_site = 'lax' })
    return 200, 'ok'
  elseif req.path == '/plain' then
    return res:cookie('n', 5):json({ ok = true })
  elseif req.path == '/delete' then
    res:cookie('session', '', { max_age = 0, path = '/' })
    return 204
  elseif req.path == '/bad' then
    try(res, 'a', 'x\r\nSet-Cookie: admin=1')
    try(res, 'a', 'x\ny')
    try(res, 'a', 'x; Path=/admin')
    try(res, 'a', 'x,y')
    try(res, 'a', 'x y')
    try(res, 'a', '"quoted"')
    try(res, 'a', 'caf\195\169')
    try(res, 'a b', 'x')
    try(res, 'a=b', 'x')
    try(res, '', 'x')
    try(res, nil, 'x')
    try(res, 'a', nil)
    try(res, 'a', 'x', 'path=/')
    try(res, 'a', 'x', { path = '/x;Secure' })
    try(res, 'a', 'x', { path = '/x\r\n' })
    try(res, 'a', 'x', { domain = 5 })
    try(res, 'a', 'x', { max_age = 1.5 })
    try(res, 'a', 'x', { max_age = '60' })
    try(res, 'a', 'x', { same_site = 'sometimes' })
    try(res, 'a', 'x', { expires = 'tomorrow' })
    return 200, 'checked'
  elseif req.path == '/late' then
    res:write('head sent')
    try(res, 'a', 'x')
    res:finish()
  end
end))
local _, port = server:getsockname()
-- The status line, the header lines sorted (their order is a hash table's), the body.
local function get(path)
  local text = exchange(port, 'GET ' .. path .. ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  local head, body = text:match('^(.-)\n\n(.*)$')
  local lines = {}
  for line in head:gmatch('[^\n]+') do lines[#lines + 1] = line end
  local status = table.remove(lines, 1)
  table.sort(lines)
  print(status .. '\n' .. table.concat(lines, '\n') .. '\n\n' .. body .. '\n---')
end
get('/one')
get('/plain')
get('/delete')
get('/bad')
get('/late')
server:close()
