-- require 'udp': bind, send, recv, close, getsockname. A host name (not a
-- literal address) is resolved first and its first address used.
local raw, rt = ...
local S = rt.suspending
local mt = { __name = 'udp.socket' }
raw.init(mt)
local resolve, literal, type = S(raw.resolve), raw.literal, type
-- A wrong-typed host goes to the Swift function as it is, which names the argument.
local function is_name(host) return type(host) == 'string' and not literal(host) end
local send = S(raw.send)
local udp = { recv = S(raw.recv), close = raw.close, getsockname = raw.getsockname }
function udp.bind(host, port)
  if is_name(host) then
    local addresses, err = resolve(host)
    if not addresses then return nil, err end
    host = addresses[1]
  end
  return raw.bind(host, port)
end
function udp.send(sock, host, port, data)
  if is_name(host) then
    local addresses, err = resolve(host)
    if not addresses then return nil, err end
    host = addresses[1]
  end
  return send(sock, host, port, data)
end
mt.__index = { send = udp.send, recv = udp.recv, close = udp.close, getsockname = udp.getsockname }
mt.__gc = raw.gc
mt.__tostring = function() return 'udp.socket' end
return udp
