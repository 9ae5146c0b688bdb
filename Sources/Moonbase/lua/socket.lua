-- require 'socket': TCP and Unix stream sockets (Swift half: Modules/Socket/).
local raw, rt = ...
local S = rt.suspending
local conn_mt, listener_mt = { __name = 'socket.conn' }, { __name = 'socket.listener' }
raw.init(conn_mt, listener_mt)
local resolve, literal, connect = S(raw.resolve), raw.literal, S(raw.connect)
local type, ipairs = type, ipairs
local socket = {
  accept = S(raw.accept), resolve = resolve,
  read = S(raw.read), readline = S(raw.readline), write = S(raw.write),
  close = raw.close, getpeername = raw.getpeername, getsockname = raw.getsockname,
  setnodelay = raw.setnodelay, setreadlimit = raw.setreadlimit, settimeout = raw.settimeout,
}
-- A host name (not a literal address) is resolved first; a wrong-typed
-- host goes to the Swift function as it is, which names the argument.
local function is_name(host) return type(host) == 'string' and not literal(host) end
-- listen binds the first address of a name.
function socket.listen(kind, host, port, opts)
  if kind == 'tcp' and is_name(host) then
    local addresses, err = resolve(host)
    if not addresses then return nil, err end
    host = addresses[1]
  end
  return raw.listen(kind, host, port, opts)
end
-- connect tries the addresses of a name in order (getaddrinfo's preference)
-- until one accepts, and returns the last error if none does.
-- "localhost" too: a server may listen on 127.0.0.1 or on ::1.
-- opts.timeout (seconds): each address tried gets it; nil, "timeout" when the last one ran out.
function socket.connect(host, port, opts)
  local timeout
  if opts ~= nil then
    if type(opts) ~= 'table' then
      error("socket.connect: bad argument #3 'opts' (table expected, got " .. type(opts) .. ")", 2)
    end
    timeout = opts.timeout
  end
  if host ~= 'localhost' and (host == 'unix' or not is_name(host) or host:find('/', 1, true)) then
    return connect(host, port, timeout)
  end
  local addresses, err = resolve(host)
  if not addresses then return nil, err end
  local conn
  for _, address in ipairs(addresses) do
    conn, err = connect(address, port, timeout)
    if conn then return conn end
  end
  return nil, err
end
conn_mt.__index = {
  read = socket.read, readline = socket.readline, write = socket.write, close = socket.close,
  getpeername = socket.getpeername, getsockname = socket.getsockname,
  setnodelay = socket.setnodelay, setreadlimit = socket.setreadlimit, settimeout = socket.settimeout,
}
conn_mt.__gc = raw.gc
conn_mt.__tostring = function(c) return 'socket.conn' end
listener_mt.__index = { accept = socket.accept, close = socket.close, getsockname = socket.getsockname }
listener_mt.__gc = raw.gc
listener_mt.__tostring = function(c) return 'socket.listener' end
local spawn, xpcall, error, find, sleep = spawn, xpcall, error, string.find, nil
local traceback = debug.traceback
-- A handler's error keeps the handler's own frames in its report.
local function with_traceback(e)
  if type(e) ~= 'string' or find(e, '\nstack traceback:\n', 1, true) then return e end
  return traceback(e, 2)
end
-- serve: listens, then accepts in a fiber of its own; each connection runs
-- handler(conn) in a new fiber and is closed when the handler returns or fails.
function socket.serve(host, port, handler, opts)
  if type(handler) ~= 'function' then
    error("socket.serve: bad argument #3 'handler' (function expected, got " .. type(handler) .. ")", 2)
  end
  local l, err
  if host == 'unix' then l, err = raw.listen('unix', port, opts)
  else l, err = raw.listen('tcp', host, port, opts) end
  if not l then return nil, err end
  -- Shutdown (lua/prelude.lua): the listener stops accepting (a Unix
  -- socket's file goes with it); handlers are shielded and left to finish.
  local shield = rt.shield
  local function run(conn)
    shield(true)
    local ok, e = xpcall(handler, with_traceback, conn)
    shield(false)
    raw.close(conn)
    if not ok then error(e, 0) end
  end
  local stop = rt.on_shutdown(function() raw.close(l) end)
  -- Only closing the listener ends the loop: other errors are transient
  -- (running out of descriptors pauses the listener itself).
  spawn(function()
    while true do
      local conn, err = socket.accept(l)
      if conn then
        spawn(run, conn):detach()
      elseif err == 'closed' then
        rt.cancel_shutdown(stop)
        return
      else
        sleep = sleep or require('time').sleep
        sleep(0.01)
      end
    end
  end):detach()
  return l
end
return socket
