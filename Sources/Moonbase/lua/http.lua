-- require 'http': an HTTP/1.1 server on socket (Swift half: Modules/HTTP/).
local raw, rt = ...
local socket = require 'socket'
local S = rt.suspending
local http_read, respond, write = S(raw.read), S(raw.respond), socket.write
local find, sub, format, type, xpcall, error, setmetatable = string.find, string.sub, string.format, type, xpcall, error, setmetatable
local settimeout = socket.settimeout
local http = {}

-- A handler's error keeps the handler's own frames: the traceback is taken
-- where it was raised, before the serve loop re-raises it.
local traceback = debug.traceback
local function with_traceback(e)
  if type(e) ~= 'string' or find(e, '\nstack traceback:\n', 1, true) then return e end
  return traceback(e, 2)
end
http.with_traceback = with_traceback

local Res = {}
Res.__index = Res
local function is_status(code)
  return type(code) == 'number' and code >= 100 and code <= 999 and code % 1 == 0
end
function Res:status(code)
  if not is_status(code) then
    error("res:status: bad argument #1 'code' (integer from 100 to 999 expected, got " .. tostring(code) .. ")", 2)
  end
  self._status = code
  return self
end
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
    -- HTTP/1.0 has no chunked framing: the body ends when the connection closes.
    local mode = self._v10 and 3 or 2
    if self._v10 then self._keep = 0; self._close = true end
    local ok, err = respond(self._conn, self._status or 200, nil, self._headers, self._keep, mode)
    if not ok then return nil, err end
  end
  if self._head or #data == 0 then return true end
  if self._v10 then return write(self._conn, data) end
  return write(self._conn, format('%x\r\n', #data) .. data .. '\r\n')
end
function Res:finish(data)
  if self._done then return nil, 'finished' end
  if self._started then
    if data then self:write(data) end
    self._done = true
    if self._head or self._v10 then return true end
    return write(self._conn, '0\r\n\r\n')
  end
  self._done = true
  return respond(self._conn, self._status or 200, data, self._headers, self._keep, self._head and 1 or 0)
end

-- Routing and request helpers (lua/http_codec.lua, http_request.lua,
-- http_response.lua, http_router.lua).
local request, router, codec = require 'http.request', require 'http.router', require 'http.codec'
local response = require 'http.response'
response.extend(Res)
local merge_headers = response.merge_headers
local new_request = request.new
http.router = router.new
-- http.urlencode(string) escapes a component; (table) makes a query string.
function http.urlencode(v)
  if type(v) == 'string' then return codec.escape(v) end
  if type(v) == 'number' then return codec.escape(tostring(v)) end
  if type(v) ~= 'table' then
    error("http.urlencode: bad argument #1 'value' (string, number or table expected, got " .. type(v) .. ")", 2)
  end
  local text, key = codec.encode_pairs(v)
  if not text then
    error("http.urlencode: bad argument #1 'value' (string keys with string, number, boolean or list values expected, at key " .. key .. ")", 2)
  end
  return text
end
function http.urldecode(s)
  if type(s) ~= 'string' then
    error("http.urldecode: bad argument #1 'text' (string expected, got " .. type(s) .. ")", 2)
  end
  return codec.urldecode(s)
end
-- (end of routing and request helpers)

-- Shutdown (lua/prelude.lua): connections waiting for their next request
-- close; one busy with a request closes once its response is sent.
local idle_conns, draining = setmetatable({}, { __mode = 'k' }), false
rt.on_shutdown(function()
  draining = true
  for conn, idle in pairs(idle_conns) do
    if idle then socket.close(conn) end
  end
end)

-- t: the timeouts (idle, header, body, send; seconds, 0: none), or nil for none.
local function serve_conn(conn, handler, max_header, max_body, t)
  local idle, header, body_t = 0, 0, 0
  if t then
    idle, header, body_t = t.idle, t.header, t.body
    settimeout(conn, t.send, 'write')
  end
  while true do
    if draining then return end
    -- true while waiting for a request, false while serving one: the key
    -- stays for the connection's life (no insert and removal per request)
    idle_conns[conn] = true
    local method, target, headers, body, keep, v10 = http_read(conn, max_header, max_body, idle, header, body_t)
    idle_conns[conn] = false
    if not method then
      if type(target) == 'number' then
        respond(conn, target, '', nil, 0, 0)
      end
      return
    end
    -- 0: close after; 1: keep alive; 2: keep alive and say so (HTTP/1.0)
    keep = keep and (v10 and 2 or 1) or 0
    local path, query = target, nil
    local q = find(target, '?', 1, true)
    if q then path = sub(target, 1, q - 1); query = sub(target, q + 1) end
    local res = setmetatable({ _conn = conn, _keep = keep, _head = method == 'HEAD', _v10 = v10 }, Res)
    local req = new_request(conn, method, path, query, target, headers, body)  -- lua/http_request.lua
    local ok, status, rbody, rheaders = xpcall(handler, with_traceback, req, res)
    if not ok then
      if not res._started and not res._done then
        respond(conn, 500, 'Internal Server Error', nil, 0, 0)
      end
      error(status, 0)
    end
    if not res._done then
      if status and not res._started then
        -- A bad return gets a 500 like a handler error (never 0 bytes).
        local bad = not is_status(status) and 'status' or (rbody ~= nil and type(rbody) ~= 'string' and type(rbody) ~= 'number') and 'body'
          or (rheaders ~= nil and type(rheaders) ~= 'table') and 'headers'
        if bad then
          respond(conn, 500, 'Internal Server Error', nil, 0, 0)
          error(format("http.serve: the handler returned a bad %s (%s)", bad,
            tostring(bad == 'status' and status or bad == 'body' and type(rbody) or type(rheaders))), 0)
        end
        if res._headers then rheaders = merge_headers(res._headers, rheaders) end  -- lua/http_response.lua
        res._done = true
        local okw = respond(conn, status, rbody, rheaders, keep, res._head and 1 or 0)
        if not okw then return end
      else
        res:finish()
      end
    end
    if keep == 0 or res._close or draining then return end
  end
end
http.serve_conn = serve_conn

-- opts.access_log: one `log.access` line per answered request (lua/log.lua).
-- `bytes` counts a returned body (not what res:write streamed); a handler
-- that raises is reported as an error, not in the access log.
local function access_logged(handler)
  local log, monotonic = require('log'), require('time').monotonic
  return function(req, res)
    local started = monotonic()
    local status, body, headers = handler(req, res)
    local bytes = type(body) == 'string' and #body or type(body) == 'number' and #tostring(body) or 0
    log.access{ remote_addr = req.remote_addr, method = req.method, path = req.path,
      status = status or res._status or 200, bytes = bytes, duration = monotonic() - started }
    return status, body, headers
  end
end

-- serve(host, port, handler, opts) -> listener | nil, err; the server runs in
-- fibers of its own until the listener is closed.
function http.serve(host, port, handler, opts)
  if router.is(handler) then handler = router.handler(handler) end  -- http.router()
  if type(opts) == 'table' and opts.access_log and type(handler) == 'function' then
    handler = access_logged(handler)
  end
  if type(handler) ~= 'function' then
    error("http.serve: bad argument #3 'handler' (function or router expected, got " .. type(handler) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= 'table' then
    error("http.serve: bad argument #4 'opts' (table expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  local function limit(name, default)
    local v = opts[name]
    if v == nil then return default end
    if type(v) ~= 'number' or not (v >= 1 and v <= 2147483647) or v % 1 ~= 0 then
      error(("http.serve: bad argument #4 'opts.%s' (integer from 1 to 2^31-1 expected, got %s)"):format(name, tostring(v)), 3)
    end
    return v
  end
  local function timeout(name, default)
    local v = opts[name]
    if v == nil then return default end
    if type(v) ~= 'number' or not (v >= 0 and v <= 2147483647) then
      error(("http.serve: bad argument #4 'opts.%s' (seconds from 0 to 2^31-1 expected, got %s)"):format(name, tostring(v)), 3)
    end
    return v
  end
  local max_header = limit('max_header_size', 8192)
  local max_body = limit('max_body_size', 1048576)
  local timeouts = {
    header = timeout('header_timeout', 30), body = timeout('body_timeout', 30),
    idle = timeout('idle_timeout', 60), send = timeout('send_timeout', 60),
  }
  local lopts = { reuseport = opts.reuseport, backlog = opts.backlog, nodelay = true }
  return socket.serve(host, port, function(conn)
    serve_conn(conn, handler, max_header, max_body, timeouts)
    idle_conns[conn] = nil
  end, lopts)
end
return http
