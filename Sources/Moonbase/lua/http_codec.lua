-- require 'http.codec' (internal, used by http): the text formats of the request
-- helpers. Percent-encoding, query strings and form bodies follow WHATWG's
-- application/x-www-form-urlencoded (what browsers send); cookies RFC 6265.
local byte, char, find, format, gsub, gmatch, match, sub, lower =
  string.byte, string.char, string.find, string.format, string.gsub, string.gmatch, string.match, string.sub, string.lower
local type, tonumber, tostring, pairs, ipairs, error, sort, concat =
  type, tonumber, tostring, pairs, ipairs, error, table.sort, table.concat
local codec = {}

local function hex_byte(h) return char(tonumber(h, 16)) end

-- Percent escapes only ('+' stays): path parameters. A malformed escape ('%',
-- '%4', '%zz') is kept as it is, as browsers do, rather than losing the field.
local function unescape(s)
  if not find(s, '%', 1, true) then return s end
  return (gsub(s, '%%(%x%x)', hex_byte))
end
codec.unescape = unescape

-- Query and form semantics: '+' is a space too.
local function urldecode(s)
  if find(s, '+', 1, true) then s = gsub(s, '+', ' ') end
  return unescape(s)
end
codec.urldecode = urldecode

-- Everything but RFC 3986's unreserved characters is escaped (space as %20).
local function escape_byte(c) return format('%%%02X', byte(c)) end
local function escape(s) return (gsub(s, '[^%w%-%._~]', escape_byte)) end
codec.escape = escape

local function scalar_text(v)
  local t = type(v)
  if t == 'string' then return v end
  if t == 'number' or t == 'boolean' then return tostring(v) end
  return nil
end

-- A table as a query string: keys sorted (the same table, the same text), a
-- list value repeats its key. Returns nil and the offending key otherwise.
function codec.encode_pairs(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= 'string' then return nil, tostring(k) end
    keys[#keys + 1] = k
  end
  sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v, ek = t[k], escape(k)
    if type(v) == 'table' then
      for _, e in ipairs(v) do
        local text = scalar_text(e)
        if not text then return nil, k end
        out[#out + 1] = ek .. '=' .. escape(text)
      end
    else
      local text = scalar_text(v)
      if not text then return nil, k end
      out[#out + 1] = ek .. '=' .. escape(text)
    end
  end
  return concat(out, '&')
end

-- 'a=1&b=2&a=3' -> { a = {'1', '3'}, b = '2' }: a key seen once is a string, a
-- repeated key a list in order; 'flag' alone is 'flag' = ''; empty pieces skipped.
function codec.decode_pairs(s)
  local t = {}
  for piece in gmatch(s, '[^&]+') do
    local k, v = piece, ''
    local eq = find(piece, '=', 1, true)
    if eq then k, v = sub(piece, 1, eq - 1), sub(piece, eq + 1) end
    k, v = urldecode(k), urldecode(v)
    local old = t[k]
    if old == nil then
      t[k] = v
    elseif type(old) == 'table' then
      old[#old + 1] = v
    else
      t[k] = { old, v }
    end
  end
  return t
end

-- A Cookie header: 'a=1; b="2"' -> { a = '1', b = '2' }. The first of a repeated
-- name wins (browsers send the most specific path first); values are not decoded.
function codec.decode_cookies(header)
  local t = {}
  for piece in gmatch(header, '[^;]+') do
    local name, value = match(piece, '^%s*([^=]-)%s*=%s*(.-)%s*$')
    if name and name ~= '' and t[name] == nil then
      if #value >= 2 and byte(value, 1) == 34 and byte(value, -1) == 34 then value = sub(value, 2, -2) end
      t[name] = value
    end
  end
  return t
end

-- Set-Cookie: name a token, value cookie-octets (no controls, space, '"', ',',
-- ';' or '\'), attribute values without controls or ';'. Refused, not escaped:
-- a bad byte is a bug in the caller (header injection), not data to mangle.
local function bad(n, name, what, level)
  error(("res:cookie: bad argument #%d '%s' (%s)"):format(n, name, what), level + 1)
end
local same_site_names = { strict = 'Strict', lax = 'Lax', none = 'None' }
local known = { path = true, domain = true, max_age = true, http_only = true, secure = true, same_site = true }

function codec.set_cookie(name, value, opts, level)
  level = level + 1
  if type(name) ~= 'string' or not find(name, "^[!#$%%&'*+%-.^_`|~%w]+$") then
    bad(1, 'name', type(name) == 'string' and 'a token expected, got ' .. format('%q', name)
      or 'string expected, got ' .. type(name), level)
  end
  if type(value) == 'number' then value = tostring(value) end
  if type(value) ~= 'string' then bad(2, 'value', 'string expected, got ' .. type(value), level) end
  if find(value, '[%c%s",;\\\128-\255]') then
    bad(2, 'value', 'cookie-octets expected (no controls, spaces, \'"\', \',\', \';\' or \'\\\'); http.urlencode it', level)
  end
  local out = name .. '=' .. value
  if opts == nil then return out end
  if type(opts) ~= 'table' then bad(3, 'opts', 'table expected, got ' .. type(opts), level) end
  for k in pairs(opts) do
    if not known[k] then bad(3, 'opts', 'unknown option ' .. tostring(k), level) end
  end
  for _, attr in ipairs({ { 'path', 'Path' }, { 'domain', 'Domain' } }) do
    local v = opts[attr[1]]
    if v ~= nil then
      if type(v) ~= 'string' or find(v, '[%c;]') then
        bad(3, 'opts.' .. attr[1], 'string without controls or \';\' expected', level)
      end
      out = out .. '; ' .. attr[2] .. '=' .. v
    end
  end
  local age = opts.max_age
  if age ~= nil then
    if type(age) ~= 'number' or age % 1 ~= 0 or age < -2147483648 or age > 2147483647 then
      bad(3, 'opts.max_age', 'integer seconds expected, got ' .. tostring(age), level)
    end
    out = out .. format('; Max-Age=%d', age)
  end
  if opts.http_only then out = out .. '; HttpOnly' end
  if opts.secure then out = out .. '; Secure' end
  local site = opts.same_site
  if site ~= nil then
    local canonical = type(site) == 'string' and same_site_names[lower(site)]
    if not canonical then
      bad(3, 'opts.same_site', "'Strict', 'Lax' or 'None' expected, got " .. tostring(site), level)
    end
    out = out .. '; SameSite=' .. canonical
  end
  return out
end

return codec
