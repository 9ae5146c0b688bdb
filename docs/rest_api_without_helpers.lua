-- examples/rest_api.lua written without http.router and the request helpers (the
-- way examples/http_mysql_api.lua had to): the same notes API, routes, checks
-- and answers, with the plumbing by hand. Kept to compare line counts (see
-- docs/API.md, "Routing and request helpers"); not run by the tests.
-- `moonbase run docs/rest_api_without_helpers.lua [port]` serves forever (8080).
local http = require 'http'
local json = require 'json'
local inbox = require 'inbox'
local mysql_pool = require 'mysql_pool'

local TOKEN = 'secret'
local JSON_HEADERS = { ['Content-Type'] = 'application/json' }

local function answer(status, value)
  return status, json.encode(value), JSON_HEADERS
end

-- The query string as a table (the last of a repeated key wins).
local function unescape(s)
  s = s:gsub('+', ' ')
  return (s:gsub('%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end))
end
local function query_args(query)
  local args = {}
  for piece in (query or ''):gmatch('[^&]+') do
    local k, v = piece:match('^([^=]*)=?(.*)$')
    args[unescape(k)] = unescape(v)
  end
  return args
end

-- The note in a request body, or nil and what is wrong with it.
local function valid_note(req)
  local note, err = json.decode(req.body)
  if not note then return nil, err end
  if type(note) ~= 'table' or type(note.title) ~= 'string' or #note.title == 0 or #note.title > 200 then
    return nil, 'title: a string of 1 to 200 bytes expected'
  end
  if note.body ~= nil and type(note.body) ~= 'string' then return nil, 'body: a string expected' end
  return note
end

local function handler(db)
  -- conn:query (rows) or conn:exec (a summary) on a pooled connection; nil and
  -- the 503 answer on a database failure.
  local function sql(kind, text, ...)
    local args = { n = select('#', ...), ... }
    local r, err = db:with(function(conn) return conn[kind](conn, text, unpack(args, 1, args.n)) end)
    if not r then return nil, { answer(503, { error = err }) } end
    return r
  end
  local function list(req)
    local limit = tonumber(query_args(req.query).limit or 20)
    if not limit or limit < 1 or limit > 100 or limit % 1 ~= 0 then
      return answer(400, { error = 'limit: an integer from 1 to 100 expected' })
    end
    local rows, failed = sql('query', 'SELECT id, title, body FROM notes ORDER BY id DESC LIMIT ?', limit)
    if not rows then return unpack(failed) end
    return answer(200, json.array(rows))
  end
  local function create(req)
    local note, err = valid_note(req)
    if not note then return answer(400, { error = err }) end
    local r, failed = sql('exec', 'INSERT INTO notes (title, body) VALUES (?, ?)', note.title, note.body or '')
    if not r then return unpack(failed) end
    return answer(201, { id = r.last_insert_id })
  end
  local function show(req, id)
    local rows, failed = sql('query', 'SELECT id, title, body FROM notes WHERE id = ?', tonumber(id))
    if not rows then return unpack(failed) end
    if not rows[1] then return answer(404, { error = 'no note ' .. id }) end
    return answer(200, rows[1])
  end
  local function replace(req, id)
    local note, err = valid_note(req)
    if not note then return answer(400, { error = err }) end
    local r, failed = sql('exec', 'UPDATE notes SET title = ?, body = ? WHERE id = ?', note.title, note.body or '', tonumber(id))
    if not r then return unpack(failed) end
    if r.affected_rows == 0 then return answer(404, { error = 'no note ' .. id }) end
    return answer(200, { id = tonumber(id) })
  end
  local function delete(req, id)
    local r, failed = sql('exec', 'DELETE FROM notes WHERE id = ?', tonumber(id))
    if not r then return unpack(failed) end
    if r.affected_rows == 0 then return answer(404, { error = 'no note ' .. id }) end
    return 204
  end
  -- Routing: path patterns, methods per path, 404, 405 with Allow, HEAD as GET.
  local routes = {
    { pattern = '^/notes/?$', methods = { GET = list, POST = create } },
    { pattern = '^/notes/([^/]+)/?$', methods = { GET = show, PUT = replace, DELETE = delete } },
  }
  return function(req)
    if req.method ~= 'GET' and req.method ~= 'HEAD' and req.headers.authorization ~= 'Bearer ' .. TOKEN then
      return answer(401, { error = 'unauthorized' })
    end
    for _, route in ipairs(routes) do
      local captures = { req.path:match(route.pattern) }
      if captures[1] ~= nil or req.path:match(route.pattern) then
        local method = req.method == 'HEAD' and 'GET' or req.method
        local fn = route.methods[method]
        if fn then
          for i, c in ipairs(captures) do captures[i] = unescape((c:gsub('+', '%%2B'))) end
          return fn(req, unpack(captures))
        end
        local allow = {}
        for m in pairs(route.methods) do allow[#allow + 1] = m end
        if route.methods.GET then allow[#allow + 1] = 'HEAD' end
        table.sort(allow)
        return 405, 'Method Not Allowed', { Allow = table.concat(allow, ', ') }
      end
    end
    return 404, 'Not Found'
  end
end

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
  local job = inbox:receive()
  local db = mysql_pool.new({ size = 4, connect = settings })
  local server = assert(http.serve('127.0.0.1', job.port, handler(db), { reuseport = true }))
  job.reply:send({ port = select(2, server:getsockname()) })
  assert(inbox:receive() == 'stop')
  server:close()
  db:close()
  return
end

local setup = mysql_pool.new({ size = 1, connect = settings })
assert(setup:with(function(conn)
  return conn:exec('CREATE TABLE IF NOT EXISTS notes (id INT AUTO_INCREMENT PRIMARY KEY, '
    .. 'title VARCHAR(200) NOT NULL, body TEXT NOT NULL)')
end))
local servers, port = {}, tonumber(arg[1] or 8080)
for k = 1, require('moonbase').workers() do
  servers[k] = spawn_vm('.', { thread = k })
  servers[k]:send({ port = port, reply = inbox })
  port = inbox:receive().port
end
print(('rest_api: %d server actors on http://127.0.0.1:%d/notes'):format(#servers, port))
