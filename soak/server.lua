-- The soak's server (soak/run): HTTP on loopback (arg[1] = port) with
-- /ok, /error (handler raises), /file (writes and reads a file), /db (a query
-- through an in-VM mysql pool: 503 while the server is down, the client
-- retries) and, in the background, messages to an actor that crashes now and
-- then and is restarted by the shipped supervisor.
local http, fs, time = require 'http', require 'fs', require 'time'
local inbox = require 'inbox'
local port = tonumber(arg[1])
local dir = arg[2]

local db = require('mysql_pool').new{ size = 4, check_after = 1, connect = {
  host = os.getenv('MOONBASE_MYSQL_HOST'), port = tonumber(os.getenv('MOONBASE_MYSQL_PORT')),
  user = os.getenv('MOONBASE_MYSQL_USER'), password = os.getenv('MOONBASE_MYSQL_PASSWORD'),
  database = os.getenv('MOONBASE_MYSQL_DATABASE'),
  connect_timeout = 5, read_timeout = 10, write_timeout = 10 } }
local function query(n)
  local conn, err = db:acquire()
  if not conn then return nil, err end
  local rows, qerr = conn:query('SELECT ? AS n', n)
  db:release(conn, rows == nil)  -- a failed query (server gone): the connection is broken
  if not rows then return nil, qerr end
  return rows[1].n
end

local sup = spawn_vm('supervisor')
sup:send({ children = { { name = 'echo', module = 'echo_actor', restart = 'permanent' } },
           max_restarts = 1000000, within = 1 })
local function echo_address()
  sup:send({ cmd = 'which', name = 'echo', reply = inbox })
  while true do  -- the echo's own replies ({n=}) are skipped
    local m = inbox:receive()
    if m.name == 'echo' then return m.address end
  end
end
local counter = 0

local served = 0
assert(http.serve('127.0.0.1', port, function(req)
  served = served + 1
  if req.path == '/ok' then return 200, 'ok' end
  if req.path == '/error' then error('soak: handler error on purpose') end
  if req.path == '/file' then
    local path = dir .. '/f' .. (served % 16)
    assert(fs.writefile(path, string.rep('s', 4096)))
    return 200, (#assert(fs.readfile(path)) == 4096) and 'ok' or 'bad'
  end
  if req.path == '/db' then
    local n, err = query(served)
    if n == nil then return 503, 'db: ' .. tostring(err) end
    return 200, (tonumber(n) == served) and 'ok' or 'bad'
  end
  return 404, 'no'
end, { reuseport = false }))

-- Actors: a stream of messages to the echo actor, which crashes every 500th.
spawn(function()
  local me = inbox
  while true do
    local echo = echo_address()
    if echo then
      counter = counter + 1
      echo:send({ n = counter, reply = me })
    end
    time.sleep(0.005)
  end
end):detach()
print('soak server ready')
io.stdout:flush()
