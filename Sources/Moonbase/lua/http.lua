-- require 'http': an HTTP/1.1 server on socket (Swift half: Modules/HTTP/).
local raw, rt = ...
local socket = require 'socket'
local S = rt.suspending
local http_read, respond, write = S(raw.read), S(raw.respond), socket.write
local find, sub, format, type, pcall, error, setmetatable = string.find, string.sub, string.format, type, pcall, error, setmetatable
local http = {}

local Res = {}
Res.__index = Res
function Res:status(code) self._status = code; return self end
function Res:header(name, value)
  local h = self._headers
  if not h then h = {}; self._headers = h end
  h[name] = value
  return self
end
function Res:write(data)
  data = data and tostring(data) or ''
  if self._done then return nil, 'finished' end
  if not self._started then
    self._started = true
    local ok, err = respond(self._conn, self._status or 200, nil, self._headers, self._keep, 2)
    if not ok then return nil, err end
  end
  if self._head or #data == 0 then return true end
  return write(self._conn, format('%x\r\n', #data) .. data .. '\r\n')
end
function Res:finish(data)
  if self._done then return nil, 'finished' end
  if self._started then
    if data then self:write(data) end
    self._done = true
    if self._head then return true end
    return write(self._conn, '0\r\n\r\n')
  end
  self._done = true
  return respond(self._conn, self._status or 200, data, self._headers, self._keep, self._head and 1 or 0)
end

-- Shutdown (lua/prelude.lua): connections waiting for their next request
-- close; one busy with a request closes once its response is sent.
local idle, draining = setmetatable({}, { __mode = 'k' }), false
rt.on_shutdown(function()
  draining = true
  for conn in pairs(idle) do socket.close(conn) end
end)

local function serve_conn(conn, handler, max_header, max_body)
  while true do
    if draining then return end
    idle[conn] = true
    local method, target, headers, body, keep = http_read(conn, max_header, max_body)
    idle[conn] = nil
    if not method then
      if type(target) == 'number' then
        respond(conn, target, '', nil, false, 0)
      end
      return
    end
    local path, query = target, nil
    local q = find(target, '?', 1, true)
    if q then path = sub(target, 1, q - 1); query = sub(target, q + 1) end
    local res = setmetatable({ _conn = conn, _keep = keep, _head = method == 'HEAD' }, Res)
    local req = { method = method, path = path, query = query, target = target, headers = headers, body = body }
    local ok, status, rbody, rheaders = pcall(handler, req, res)
    if not ok then
      if not res._started and not res._done then
        respond(conn, 500, 'Internal Server Error', nil, false, 0)
      end
      error(status, 0)
    end
    if not res._done then
      if status and not res._started then
        res._done = true
        local okw = respond(conn, status, rbody, rheaders, keep, res._head and 1 or 0)
        if not okw then return end
      else
        res:finish()
      end
    end
    if not keep or res._close or draining then return end
  end
end
http.serve_conn = serve_conn

-- serve(host, port, handler, opts) -> listener | nil, err; the server runs in
-- fibers of its own until the listener is closed.
function http.serve(host, port, handler, opts)
  if type(handler) ~= 'function' then
    error("http.serve: bad argument #3 'handler' (function expected, got " .. type(handler) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= 'table' then
    error("http.serve: bad argument #4 'opts' (table expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  local function limit(name, default)
    local v = opts[name]
    if v == nil then return default end
    if type(v) ~= 'number' or v < 1 or v % 1 ~= 0 then
      error(("http.serve: bad argument #4 'opts.%s' (integer >= 1 expected, got %s)"):format(name, tostring(v)), 3)
    end
    return v
  end
  local max_header = limit('max_header_size', 8192)
  local max_body = limit('max_body_size', 1048576)
  local socket = require 'socket'
  local lopts = { reuseport = opts.reuseport, backlog = opts.backlog, nodelay = true }
  return socket.serve(host, port, function(conn)
    serve_conn(conn, handler, max_header, max_body)
  end, lopts)
end
return http
