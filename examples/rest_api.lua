--! args: --threads 2
-- A notes API over MariaDB, as a new user would write it: routing, validation,
-- JSON, one server actor per worker on one port (reuseport), each with its own
-- connection pool. (docs/rest_api_without_helpers.lua is the same app without
-- http.router and the request helpers.)
--
--   GET    /notes?limit=N    the latest notes (limit 1..100, default 20)
--   POST   /notes            {"title": "...", "body": "..."} -> 201 {"id": n}
--   GET    /notes/:id        one note, or 404
--   PUT    /notes/:id        replaces title and body, or 404
--   DELETE /notes/:id        204, or 404
-- Writes need `Authorization: Bearer <token>` (a middleware checks it).
--
-- Settings come from MOONBASE_MYSQL_* (scripts/with-mariadb sets them).
-- `moonbase run examples/rest_api.lua` creates its table, serves on a free port,
-- sends itself requests, prints the answers and stops;
-- `moonbase run examples/rest_api.lua serve [port]` serves forever (8080).
local http = require 'http'
local json = require 'json'
local inbox = require 'inbox'
local mysql_pool = require 'mysql_pool'

local TOKEN = 'secret'

-- The note in a request body, or nil and what is wrong with it.
local function valid_note(req)
  local note, err = req:json()
  if not note then return nil, err end
  if type(note) ~= 'table' or type(note.title) ~= 'string' or #note.title == 0 or #note.title > 200 then
    return nil, 'title: a string of 1 to 200 bytes expected'
  end
  if note.body ~= nil and type(note.body) ~= 'string' then return nil, 'body: a string expected' end
  return note
end

local function routes(db)
  local r = http.router()
  r:use(function(req, res, pass)
    if req.method ~= 'GET' and req.method ~= 'HEAD' and req.headers.authorization ~= 'Bearer ' .. TOKEN then
      return res:json({ error = 'unauthorized' }, 401)
    end
    return pass()
  end)
  -- conn:query (rows) or conn:exec (a summary) on a pooled connection; a
  -- database failure answers 503.
  local function sql(res, kind, text, ...)
    local args = { n = select('#', ...), ... }
    local r, err = db:with(function(conn) return conn[kind](conn, text, unpack(args, 1, args.n)) end)
    if not r then res:json({ error = err }, 503) end
    return r
  end
  r:get('/notes', function(req, res)
    local limit = tonumber(req.args.limit or 20)
    if not limit or limit < 1 or limit > 100 or limit % 1 ~= 0 then
      return res:json({ error = 'limit: an integer from 1 to 100 expected' }, 400)
    end
    local rows = sql(res, 'query', 'SELECT id, title, body FROM notes ORDER BY id DESC LIMIT ?', limit)
    if rows then return res:json(json.array(rows)) end
  end)
  r:post('/notes', function(req, res)
    local note, err = valid_note(req)
    if not note then return res:json({ error = err }, 400) end
    local r = sql(res, 'exec', 'INSERT INTO notes (title, body) VALUES (?, ?)', note.title, note.body or '')
    if r then return res:json({ id = r.last_insert_id }, 201) end
  end)
  r:get('/notes/:id', function(req, res)
    local rows = sql(res, 'query', 'SELECT id, title, body FROM notes WHERE id = ?', tonumber(req.params.id) or 0)
    if rows and not rows[1] then return res:json({ error = 'no note ' .. req.params.id }, 404) end
    if rows then return res:json(rows[1]) end
  end)
  r:put('/notes/:id', function(req, res)
    local note, err = valid_note(req)
    if not note then return res:json({ error = err }, 400) end
    local r = sql(res, 'exec', 'UPDATE notes SET title = ?, body = ? WHERE id = ?', note.title, note.body or '',
      tonumber(req.params.id) or 0)
    if r and r.affected_rows == 0 then return res:json({ error = 'no note ' .. req.params.id }, 404) end
    if r then return res:json({ id = tonumber(req.params.id) }) end
  end)
  r:delete('/notes/:id', function(req, res)
    local r = sql(res, 'exec', 'DELETE FROM notes WHERE id = ?', tonumber(req.params.id) or 0)
    if r and r.affected_rows == 0 then return res:json({ error = 'no note ' .. req.params.id }, 404) end
    if r then return 204 end
  end)
  return r
end

-- Only the server named by MOONBASE_MYSQL_* (scripts/with-mariadb's throwaway one):
-- this example drops and creates tables, so it never falls back to a default server.
local function setting(name)
  local value = os.getenv('MOONBASE_MYSQL_' .. name)
  if value == nil or value == '' then
    error(('rest_api.lua: MOONBASE_MYSQL_%s is not set; run it under scripts/with-mariadb '
      .. '(it drops and creates tables, so it uses no default server)'):format(name), 0)
  end
  return value
end
local settings = { host = setting('HOST'), port = tonumber(setting('PORT')), user = setting('USER'),
  password = setting('PASSWORD'), database = setting('DATABASE') }

if _CONTEXT ~= 'main' then
  -- A server actor: {port =, reply =} in; its port out; serves until 'stop'.
  local job = inbox:receive()
  local db = mysql_pool.new({ size = 4, connect = settings })
  local server = assert(http.serve('127.0.0.1', job.port, routes(db), { reuseport = true }))
  job.reply:send({ port = select(2, server:getsockname()) })
  assert(inbox:receive() == 'stop')
  server:close()
  db:close()
  job.reply:send('stopped')
  return
end

local serve_forever = arg[1] == 'serve'
local setup = mysql_pool.new({ size = 1, connect = settings })
assert(setup:with(function(conn)
  return conn:exec('CREATE TABLE IF NOT EXISTS notes (id INT AUTO_INCREMENT PRIMARY KEY, '
    .. 'title VARCHAR(200) NOT NULL, body TEXT NOT NULL)')
end))
if not serve_forever then assert(setup:with(function(conn) return conn:exec('TRUNCATE TABLE notes') end)) end

-- One server actor per worker, all on the same port.
local servers, port = {}, serve_forever and tonumber(arg[2] or 8080) or 0
for k = 1, require('moonbase').workers() do
  servers[k] = spawn_vm('.', { thread = k })
  servers[k]:send({ port = port, reply = inbox })
  port = inbox:receive().port
end
if serve_forever then
  print(('rest_api: %d server actors on http://127.0.0.1:%d/notes'):format(#servers, port))
  return
end

-- The demo's client: one request per connection over a real socket.
local socket = require 'socket'
local function request(method, target, body, token)
  local conn = assert(socket.connect('127.0.0.1', port))
  body = body or ''
  assert(conn:write(('%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%sContent-Length: %d\r\n\r\n%s')
    :format(method, target, token and 'Authorization: Bearer ' .. token .. '\r\n' or '', #body, body)))
  local status = tonumber(assert(conn:readline()):match('^HTTP/1%.1 (%d+)'))
  local length, allow = 0, nil
  while true do
    local line = assert(conn:readline())
    if line == '' then break end
    length = tonumber(line:match('^Content%-Length: (%d+)')) or length
    allow = line:match('^Allow: (.*)') or allow
  end
  local data = length > 0 and assert(conn:read(length)) or ''
  conn:close()
  return status, data, allow
end
local function show(method, target, body, token)
  local status, data, allow = request(method, target, body, token)
  print(('%s %s -> %d%s %s'):format(method, target, status, allow and ' (Allow: ' .. allow .. ')' or '', data))
end

show('POST', '/notes', '{"title": "groceries", "body": "eggs, milk"}', TOKEN)
show('POST', '/notes', '{"title": "call chloé"}', TOKEN)
show('POST', '/notes', '{"title": "no token"}')
show('POST', '/notes', '{"title": ', TOKEN)
show('POST', '/notes', '{"title": ""}', TOKEN)
show('POST', '/notes', '{"title": "x", "body": 5}', TOKEN)
show('GET', '/notes')
show('GET', '/notes?limit=1')
show('GET', '/notes?limit=0')
show('GET', '/notes/1')
show('GET', '/notes/99')
show('PUT', '/notes/1', '{"title": "groceries", "body": "eggs, milk, bread"}', TOKEN)
show('PUT', '/notes/99', '{"title": "nothing"}', TOKEN)
show('DELETE', '/notes/2', nil, TOKEN)
show('DELETE', '/notes/2', nil, TOKEN)
show('PATCH', '/notes/1', '{}', TOKEN)
show('GET', '/nowhere')

-- Concurrent clients on both workers: every answer is the one note left.
local clients = {}
for i = 1, 32 do
  clients[i] = spawn(function()
    local status, data = request('GET', '/notes')
    return status == 200 and #json.decode(data) == 1
  end)
end
local all = true
for i = 1, #clients do all = clients[i]:join() and all end
print('32 concurrent GETs, each with the one note left:', all)

for _, s in ipairs(servers) do s:send('stop') end
for _ = 1, #servers do assert(inbox:receive() == 'stopped') end
assert(setup:with(function(conn) return conn:exec('DROP TABLE notes') end))
setup:close()
print('stopped')
