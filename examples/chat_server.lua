-- A line-based chat server: one fiber per connection, and a broadcast actor (its
-- own VM) that holds the member list and forwards every line to every member.
-- Connection fibers talk to the broadcast actor only by messages; its answers come
-- back to this VM's inbox, where a dispatcher fiber hands each line to the writer
-- fiber of its connection.
-- Protocol: the first line a client sends is its name; every further line is said
-- to the room; "/quit" leaves.
-- `moonbase run examples/chat_server.lua serve [port]` serves forever (port 8083
-- by default; try it with `nc 127.0.0.1 8083`). Without `serve` three clients in
-- this program chat in turns, each prints what it saw, and the program exits.
local socket = require 'socket'
local channel = require 'channel'
local inbox = require 'inbox'

if _CONTEXT ~= 'main' then
  -- The broadcast actor. members[id] = { name =, server = address of the VM that
  -- holds the connection }; ids only grow, so broadcasting in id order is the
  -- order in which members joined.
  local members, ids = {}, {}
  local function broadcast(line)
    for _, id in ipairs(ids) do members[id].server:send({ id = id, line = line }) end
  end
  while true do
    local m = inbox:receive()
    if m.cmd == 'join' then
      members[m.id] = { name = m.name, server = m.server }
      ids[#ids + 1] = m.id
      broadcast('* ' .. m.name .. ' joined')
    elseif m.cmd == 'say' then
      broadcast(members[m.id].name .. ': ' .. m.text)
    elseif m.cmd == 'leave' then
      local member = members[m.id]
      members[m.id] = nil
      for i, id in ipairs(ids) do if id == m.id then table.remove(ids, i) break end end
      member.server:send({ id = m.id, bye = true })  -- the last message for it
      broadcast('* ' .. member.name .. ' left')
    elseif m.cmd == 'stop' then
      m.reply:send({ stopped = true })
      return
    end
  end
end

local serve_forever = arg and arg[1] == 'serve'
local room = spawn_vm('.')

-- Lines from the broadcast actor, by connection id, waiting for its writer fiber.
local outboxes, next_id = {}, 0

-- The dispatcher: routes the broadcast actor's messages to the connections.
-- Returns when the broadcast actor says it stopped. It starts once this VM's
-- address was first sent to the broadcast actor (receiving on an inbox nobody
-- knows is an error).
local dispatcher
local function dispatch()
  while true do
    local m = inbox:receive()
    if m.stopped then return end
    local out = outboxes[m.id]
    if out and m.bye then
      outboxes[m.id] = nil
      out:close()  -- the writer sends what is queued, then ends
    elseif out then
      out:send(m.line)
    end
  end
end

local function handle(conn)
  local name = conn:readline()
  if not name or name == '' then return end
  next_id = next_id + 1
  local id, out = next_id, channel.new(64)
  outboxes[id] = out
  local writer = spawn(function()
    local ok = true
    while true do
      local line = out:receive()
      if line == nil then return end
      -- after a failed write, keep draining so the dispatcher never waits on us
      if ok then ok = conn:write(line .. '\n') end
    end
  end)
  room:send({ cmd = 'join', id = id, name = name, server = inbox })
  dispatcher = dispatcher or spawn(dispatch)
  while true do
    local line = conn:readline()
    if not line or line == '/quit' then break end
    room:send({ cmd = 'say', id = id, text = line })
  end
  room:send({ cmd = 'leave', id = id })
  writer:join()  -- socket.serve closes conn when this handler returns
end

local listener = assert(socket.serve('127.0.0.1', serve_forever and tonumber(arg[2] or 8083) or 0, handle))
local _, port = listener:getsockname()
if serve_forever then
  print('chat server on port ' .. port)
  return
end

-- The demo: each step waits until the client saw its own action come back from
-- the room, so the room handles the steps in this order and every client's
-- transcript is the same on every run.
local function expect(client, wanted)
  repeat
    local line = assert(client.conn:readline())
    client.seen[#client.seen + 1] = line
  until line == wanted
end

local function join(name)
  local client = { name = name, conn = assert(socket.connect('127.0.0.1', port)), seen = {} }
  client.conn:write(name .. '\n')
  expect(client, '* ' .. name .. ' joined')
  return client
end

local function say(client, text)
  client.conn:write(text .. '\n')
  expect(client, client.name .. ': ' .. text)
end

local function quit(client)
  client.conn:write('/quit\n')
  while true do  -- the server closes the connection after the last line for us
    local line = client.conn:readline()
    if not line then break end
    client.seen[#client.seen + 1] = line
  end
  client.conn:close()
end

local alice = join('alice')
local bob = join('bob')
say(alice, 'hello, bob')
local carol = join('carol')
say(bob, 'hi alice; welcome carol')
say(carol, 'hello both')
quit(bob)
say(alice, 'bye bob')
quit(carol)
quit(alice)

for _, client in ipairs({ alice, bob, carol }) do
  print(client.name .. ' saw:')
  for _, line in ipairs(client.seen) do print('  ' .. line) end
end

listener:close()
room:send({ cmd = 'stop', reply = inbox })
dispatcher:join()
