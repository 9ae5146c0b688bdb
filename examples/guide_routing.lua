-- docs/GUIDE.md, "Routing": a router with a path parameter, JSON in and out, and a middleware.
local http = require 'http'
local socket = require 'socket'

local notes = { ['1'] = { id = 1, title = 'hello' } }
local r = http.router()
r:use(function(req, res, pass)
  print(req.method .. ' ' .. req.path)
  return pass()
end)
r:get('/notes/:id', function(req, res)
  local note = notes[req.params.id]
  if not note then return res:json({ error = 'no note ' .. req.params.id }, 404) end
  return res:json(note)
end)
r:post('/notes', function(req, res)
  local note, err = req:json()
  if type(note) ~= 'table' or type(note.title) ~= 'string' then
    return res:json({ error = err or 'title: a string expected' }, 400)
  end
  return res:json({ id = 2, title = note.title }, 201)
end)
local server = assert(http.serve('127.0.0.1', 0, r))
local port = select(2, server:getsockname())

local function ask(method, path, body)
  local conn = assert(socket.connect('127.0.0.1', port))
  conn:write(('%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s')
    :format(method, path, #(body or ''), body or ''))
  local answer = ''
  for data in function() return conn:read() end do answer = answer .. data end
  conn:close()
  print('  ' .. answer:match('^HTTP/1%.1 ([^\r]*)') .. ' ' .. answer:match('\r\n\r\n(.*)$'))
end
ask('GET', '/notes/1')
ask('GET', '/notes/7')
ask('POST', '/notes', '{"title": "buy milk"}')
ask('POST', '/notes', '{"title": ')
ask('DELETE', '/notes/1')
server:close()
