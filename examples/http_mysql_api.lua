-- A JSON API over MySQL (the `/api/users` endpoint of Lunet's design article),
-- on the http module, with the mysql_pool actor holding the connections and
-- one server actor per worker listening on the same port (reuseport).
--
--   GET /api/users        the first 10 users, as a JSON array
--   GET /api/users/ID     one user, or 404
--   POST /api/users       {"name": "...", "email": "..." or null} -> 201 {"id": n}
--
-- Settings come from MOONBASE_MYSQL_* (scripts/with-mariadb sets them).
-- `moonbase run examples/http_mysql_api.lua` creates its table, serves on a free
-- port, sends itself requests over a real socket, prints the answers, stops.
-- `moonbase run examples/http_mysql_api.lua serve [port]` serves forever (8080).
local http = require 'http'
local json = require 'json'
local inbox = require 'inbox'
local mysql_pool = require 'mysql_pool'

local JSON_HEADERS = { ['Content-Type'] = 'application/json' }

local function answer(status, value)
  return status, json.encode(value), JSON_HEADERS
end

local function handle(db, req)
  if req.path == '/api/users' then
    if req.method == 'GET' then
      local users, err = db:query('SELECT id, name, email FROM api_users ORDER BY id LIMIT 10')
      if not users then return answer(500, { error = err }) end
      return answer(200, json.array(users))
    elseif req.method == 'POST' then
      local user, err = json.decode(req.body)
      if not user then return answer(400, { error = err }) end
      if type(user) ~= 'table' or type(user.name) ~= 'string'
          or (user.email ~= nil and user.email ~= json.null and type(user.email) ~= 'string') then
        return answer(400, { error = 'expected {"name": string, "email": string or null}' })
      end
      -- json.null is mysql.null: a null email is stored as SQL NULL.
      local r, ierr = db:exec('INSERT INTO api_users (name, email) VALUES (?, ?)', user.name, user.email)
      if not r then return answer(500, { error = ierr }) end
      return answer(201, { id = r.last_insert_id })
    end
    return answer(405, { error = 'method not allowed' })
  end
  local id = req.path:match('^/api/users/(%d+)$')
  if id and req.method == 'GET' then
    local rows, err = db:query('SELECT id, name, email FROM api_users WHERE id = ?', tonumber(id))
    if not rows then return answer(500, { error = err }) end
    if #rows == 0 then return answer(404, { error = 'no user ' .. id }) end
    return answer(200, rows[1])
  end
  return answer(404, { error = 'not found' })
end

if _CONTEXT == 'worker' then
  -- A server actor: {pool =, port =, reply =} in; its port out; serves until 'stop'.
  local job = inbox:receive()
  local db = mysql_pool.client(job.pool)
  local server = assert(http.serve('127.0.0.1', job.port, function(req) return handle(db, req) end,
    { reuseport = true }))
  job.reply:send({ port = select(2, server:getsockname()) })
  -- Pool replies also arrive in this inbox: mysql_pool.receive() routes them.
  repeat until mysql_pool.receive() == 'stop'
  server:close()
  return
end

local serve_forever = arg[1] == 'serve'
-- Only the server named by MOONBASE_MYSQL_* (scripts/with-mariadb's throwaway one):
-- this example drops and creates tables, so it never falls back to a default server.
local function setting(name)
  local value = os.getenv('MOONBASE_MYSQL_' .. name)
  if value == nil or value == '' then
    error(('%s: MOONBASE_MYSQL_%s is not set; run it under scripts/with-mariadb '
      .. '(it drops and creates tables, so it uses no default server)'):format(arg[0]:match('[^/]*$'), name), 0)
  end
  return value
end
local settings = {
  host = setting('HOST'),
  port = tonumber(setting('PORT')),
  user = setting('USER'),
  password = setting('PASSWORD'),
  database = setting('DATABASE'),
}
local pool = mysql_pool.start({ size = 8, connect = settings })
local db = mysql_pool.client(pool)

local function must(r, err)
  if r == nil then error(err, 2) end
  return r
end
must(db:exec('CREATE TABLE IF NOT EXISTS api_users (id INT AUTO_INCREMENT PRIMARY KEY, '
  .. 'name VARCHAR(50) NOT NULL, email VARCHAR(100) NULL)'))
if not serve_forever then
  must(db:exec('TRUNCATE TABLE api_users'))
  must(db:exec('INSERT INTO api_users (name, email) VALUES (?, ?), (?, ?), (?, ?)',
    'alice', 'alice@example.com', 'bob', nil, 'chloé "c"', 'chloe@example.com'))
end

-- One server actor per worker (one in the demo), all on the same port.
local servers = {}
local port = serve_forever and tonumber(arg[2] or 8080) or 0
for i = 1, serve_forever and require('moonbase').workers() or 1 do
  servers[i] = spawn_vm('.', { thread = i })
  servers[i]:send({ pool = pool, port = port, reply = inbox })
  port = mysql_pool.receive().port
end
if serve_forever then
  print(('http_mysql_api: %d server actor(s) on http://127.0.0.1:%d/api/users'):format(#servers, port))
  return
end

-- The demo's client: one request per connection over a real socket.
local socket = require 'socket'
local function request(method, path, body)
  local conn = must(socket.connect('127.0.0.1', port))
  body = body or ''
  must(conn:write(('%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s')
    :format(method, path, #body, body)))
  local status = tonumber(must(conn:readline()):match('^HTTP/1%.1 (%d+)'))
  local length, ctype = 0, nil
  while true do
    local line = must(conn:readline())
    if line == '' then break end
    local name, value = line:match('^([^:]+):%s*(.*)$')
    name = name:lower()
    if name == 'content-length' then length = tonumber(value) end
    if name == 'content-type' then ctype = value end
  end
  local data = length > 0 and must(conn:read(length)) or ''
  conn:close()
  return status, data, ctype
end

local function show(method, path, body)
  local status, data, ctype = request(method, path, body)
  print(('%s %s -> %d %s'):format(method, path, status, ctype))
  print('  ' .. data)
end

show('GET', '/api/users')
show('POST', '/api/users', json.encode({ name = 'dan', email = 'dan@example.com' }))
show('POST', '/api/users', '{"name": "eve", "email": null}')
show('POST', '/api/users', '{"name": ')
show('POST', '/api/users', '{"email": "x@example.com"}')
show('GET', '/api/users/4')
show('GET', '/api/users/99')
show('DELETE', '/api/users')
show('GET', '/nowhere')

-- Eight clients at once: every answer is the whole list.
local clients = {}
for i = 1, 8 do
  clients[i] = spawn(function()
    local status, data = request('GET', '/api/users')
    return status == 200 and #json.decode(data) == 5
  end)
end
local all = true
for i = 1, 8 do all = clients[i]:join() and all end
print('8 concurrent GETs, each with all 5 users:', all)
show('GET', '/api/users')

for _, s in ipairs(servers) do s:send('stop') end
must(db:exec('DROP TABLE api_users'))
db:stop()
print('stopped')
