-- require 'http.request' (internal, used by http): the request object a handler
-- gets. Fields the server parsed are plain; the helpers (args, cookies, form,
-- params, remote_addr/port) are computed at their first read and kept, so a
-- handler that never reads them pays nothing.
local codec = require 'http.codec'
local socket = require 'socket'
local json = require 'json'
local rawget, rawset, setmetatable, find, lower = rawget, rawset, setmetatable, string.find, string.lower
local decode_pairs, decode_cookies, unescape = codec.decode_pairs, codec.decode_cookies, codec.unescape
local getpeername, decode = socket.getpeername, json.decode

local methods = {}
-- req:json() -> value | nil, err: the body as JSON; a malformed body is the
-- client's mistake, so it is an answer (nil, err), never a raise.
function methods:json()
  return decode(self.body)
end

local lazy = {}
function lazy.args(req)
  local q = rawget(req, 'query')
  return q and decode_pairs(q) or {}
end
function lazy.cookies(req)
  local c = req.headers.cookie
  return c and decode_cookies(c) or {}
end
-- nil unless the body is application/x-www-form-urlencoded.
function lazy.form(req)
  local ctype = req.headers['content-type']
  if not ctype or not find(lower(ctype), '^%s*application/x%-www%-form%-urlencoded%s*;?') then return nil end
  return decode_pairs(req.body)
end
-- Path parameters captured by the router (raw), percent-decoded here.
function lazy.params(req)
  local t, names, values = {}, rawget(req, '_param_names'), rawget(req, '_param_values')
  if names then
    for i = 1, #names do t[names[i]] = unescape(values[i]) end
  end
  return t
end
-- The peer of the connection: address and port for TCP, the path for a Unix
-- socket (port nil); nil once the connection is gone.
local function peer(req)
  local addr, port = getpeername(req._conn)
  rawset(req, 'remote_addr', addr or nil)
  rawset(req, 'remote_port', addr and port or nil)
  return addr, port
end
function lazy.remote_addr(req) return (peer(req)) end
function lazy.remote_port(req) local addr, port = peer(req); return addr and port or nil end

local mt = {
  __index = function(req, key)
    local make = lazy[key]
    if make == nil then return methods[key] end
    local v = make(req)
    if v ~= nil then rawset(req, key, v) end
    return v
  end,
}

local request = {}
function request.new(conn, method, path, query, target, headers, body)
  return setmetatable({ method = method, path = path, query = query, target = target,
    headers = headers, body = body, _conn = conn }, mt)
end
return request
