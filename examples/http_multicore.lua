--! args: --threads 2
-- A multi-core HTTP server: one actor per worker thread, each running `http.serve`
-- on the same port with `reuseport = true`, so the kernel spreads connections
-- over the workers.
-- `moonbase run examples/http_multicore.lua serve [port]` serves forever (port
-- 8080 by default; used by Benchmarks/http_multicore.sh). Without `serve` it starts
-- the servers on a free port, sends requests from client fibers until every worker
-- has accepted connections, prints a summary, stops the servers and exits.
-- (The test runs it with --threads 2 so that its output does not depend on the
-- number of cores.)
local http = require 'http'
local socket = require 'socket'
local inbox = require 'inbox'
local moonbase = require 'moonbase'

if _CONTEXT ~= 'main' then
  -- A server actor: listens when told the port, answers until told to stop, then
  -- reports how many requests it answered.
  local order = inbox:receive()
  local me, answered = moonbase.worker(), 0
  local headers = { ['X-Worker'] = tostring(me) }
  local server, err = http.serve('127.0.0.1', order.port, function()
    answered = answered + 1
    return 200, 'hello', headers
  end, { reuseport = true, backlog = 4096 })
  if not server then
    order.reply:send({ error = err })
    return
  end
  order.reply:send({ port = select(2, server:getsockname()), worker = me })
  local stop = inbox:receive()
  server:close()
  stop.reply:send({ worker = me, answered = answered })
  return
end

local serve_forever = arg and arg[1] == 'serve'
local workers = moonbase.workers()

-- Tells the server actors to stop; returns the requests they answered in all.
local function stop_servers(servers)
  for _, server in ipairs(servers) do server:send({ reply = inbox }) end
  local answered = 0
  for _ = 1, #servers do answered = answered + inbox:receive().answered end
  return answered
end

-- Starts one server actor per worker; the first picks the port (0: a free one),
-- the others join it. Returns the actors and the port.
local function start_servers(port)
  local servers = {}
  for k = 1, workers do
    local server = spawn_vm('.', { thread = k })
    server:send({ port = port, reply = inbox })
    local ready = inbox:receive()
    if ready.error then
      stop_servers(servers)
      error(('http_multicore: cannot listen on port %d: %s'):format(port, ready.error), 0)
    end
    servers[k], port = server, ready.port
  end
  return servers, port
end

if serve_forever then
  local _, port = start_servers(tonumber(arg[2] or 8080))
  print(('http_multicore: %d workers on port %d'):format(workers, port))
  return
end

local servers, port = start_servers(0)
print(('%d server actors listen on one port with SO_REUSEPORT'):format(workers))

-- One client connection: `requests` keep-alive requests; returns the number of
-- "200 hello" answers and the worker that served the connection.
local function client(requests)
  local conn = assert(socket.connect('127.0.0.1', port))
  local ok, worker = 0, nil
  for _ = 1, requests do
    assert(conn:write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'))
    local status = conn:readline()
    local length
    while true do
      local line = assert(conn:readline())
      if line == '' then break end
      length = tonumber(line:match('^Content%-Length: (%d+)')) or length
      worker = tonumber(line:match('^X%-Worker: (%d+)')) or worker
    end
    if status == 'HTTP/1.1 200 OK' and conn:read(length) == 'hello' then ok = ok + 1 end
  end
  conn:close()
  return ok, worker
end

-- Batches of concurrent connections until every worker has served some: the
-- kernel's choice is a hash, so how many batches that takes varies; the summary
-- below does not print it.
local connections_per_batch, requests_per_connection = 16 * workers, 5
local sent, answered, seen, seen_count = 0, 0, {}, 0
for _ = 1, 100 do
  local fibers = {}
  for i = 1, connections_per_batch do fibers[i] = spawn(client, requests_per_connection) end
  for _, f in ipairs(fibers) do
    local ok, worker = f:join()
    sent, answered = sent + requests_per_connection, answered + ok
    if worker and not seen[worker] then seen[worker], seen_count = true, seen_count + 1 end
  end
  if seen_count == workers then break end
end
print('every request answered "200 hello": ' .. tostring(answered == sent))
print(('connections were served by %d of %d workers'):format(seen_count, workers))

-- Stop the servers; what they counted must match what the clients got.
print('the servers counted the same number of requests: ' .. tostring(stop_servers(servers) == answered))
