-- require 'http.response' (internal, used by http): the response helpers added
-- to http's response methods (res:cookie, res:json).
local codec = require 'http.codec'
local json = require 'json'
local type, error, tostring, pairs, set_cookie, encode = type, error, tostring, pairs, codec.set_cookie, json.encode
local response = {}

function response.extend(Res)
  -- res:cookie(name, value, opts?): one Set-Cookie header per cookie (a second
  -- cookie makes the header's value a list: one line each on the wire).
  function Res:cookie(name, value, opts)
    local line = set_cookie(name, value, opts, 2)
    if self._started or self._done then error('res:cookie: the response head was already sent', 2) end
    local h = self._headers
    local old = h and h['Set-Cookie']
    if old == nil then
      self:header('Set-Cookie', line)
    elseif type(old) == 'table' then
      old[#old + 1] = line
    else
      self:header('Set-Cookie', { old, line })
    end
    return self
  end

  -- res:json(value, status?): the whole answer, as application/json.
  function Res:json(value, status)
    if status ~= nil then
      if type(status) ~= 'number' or status % 1 ~= 0 or status < 100 or status > 999 then
        error("res:json: bad argument #2 'status' (integer from 100 to 999 expected, got " .. tostring(status) .. ')', 2)
      end
      self._status = status
    end
    local text = encode(value)
    self:header('Content-Type', 'application/json')
    return self:finish(text)
  end
end
-- Headers set with res:header / res:cookie also go out with a returned answer
-- (`res:cookie(...); return 200, body`); the returned table wins on a name.
function response.merge_headers(set, returned)
  if returned == nil then return set end
  if type(returned) ~= 'table' then return returned end
  local all = {}
  for k, v in pairs(set) do all[k] = v end
  for k, v in pairs(returned) do all[k] = v end
  return all
end
return response
