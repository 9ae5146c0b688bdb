-- a listener accepts connections while no fiber waits and keeps them in order;
-- closing it, or losing it to the garbage collector, closes the ones still
-- queued, so no accepted connection is lost or left without an owner
local socket = require 'socket'

-- Connections made before anyone accepts are all accepted later, in order.
local l = assert(socket.listen('tcp', '127.0.0.1', 0, { backlog = 8 }))
local _, port = l:getsockname()
local clients = {}
for i = 1, 5 do
  clients[i] = assert(socket.connect('127.0.0.1', port))
  assert(clients[i]:write('client ' .. i .. '\n'))
end
local got = {}
for i = 1, 5 do
  local s = assert(l:accept())
  got[#got + 1] = s:readline()
  s:write('welcome\n')
  s:close()
end
table.sort(got)
print('accepted later', table.concat(got, ', '))
for i = 1, 5 do
  print('client ' .. i .. ' answered', clients[i]:readline())
  clients[i]:close()
end

-- The end a client sees when the server drops its connection unaccepted: end of
-- stream, or a reset if the kernel had not handed it over yet.
local function ended(conn)
  local data, err = conn:read()
  return data == nil and (err == 'closed' or err == 'ECONNRESET')
end

-- Closing a listener with connections queued closes them; so does collecting it
-- (made in a function of its own, so that no stack slot keeps it).
local function queue_three(how)
  local lis = assert(socket.listen('tcp', '127.0.0.1', 0))
  local _, p = lis:getsockname()
  local waiting = {}
  for i = 1, 3 do waiting[i] = assert(socket.connect('127.0.0.1', p)) end
  if how == 'closed' then lis:close() end
  return waiting
end
for _, how in ipairs({ 'closed', 'collected' }) do
  local waiting = queue_three(how)
  collectgarbage(); collectgarbage()
  local all = true
  for i = 1, 3 do all = ended(waiting[i]) and all; waiting[i]:close() end
  print('listener ' .. how .. ': its queued connections ended', all)
end

-- wrong types
print(pcall(socket.listen, 'tcp', '127.0.0.1', 0, { backlog = 'many' }))
print(pcall(socket.listen, 'tcp', '127.0.0.1', 0, { backlog = 0 }))
print(pcall(socket.listen, 'unix', '/tmp/x.sock', { read_limit = 1.5 }))
local http = require 'http'
print(pcall(http.serve, '127.0.0.1', 0, function() end, 'opts'))
print(pcall(http.serve, '127.0.0.1', 0, function() end, { max_body_size = -1 }))
print(pcall(http.serve, '127.0.0.1', 0, function() end, { max_header_size = 'big' }))
l:close()
