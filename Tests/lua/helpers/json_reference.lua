-- The pure-Lua json module as it was before encode/decode moved to Swift:
-- json_differential.lua checks the Swift version against it, byte for byte.
local json = require 'json'
local type, pairs, ipairs, tostring, tonumber = type, pairs, ipairs, tostring, tonumber
local error, pcall, setmetatable, getmetatable = error, pcall, setmetatable, getmetatable
local format, byte, char, sub, find, gsub = string.format, string.byte, string.char, string.sub, string.find, string.gsub
local concat, sort, floor, huge = table.concat, table.sort, math.floor, math.huge

-- One null for the whole runtime: rows from mysql encode their NULLs as null.
local null = json.null
local M = { null = null }

-- Marks a table as a JSON array, so that an empty one encodes as [] (an empty
-- table without the mark is {}). Decoded arrays carry the mark.
-- (The runtime makes the mark: messages between actors carry it.)
local array_mt = debug.getmetatable(json.array())
function M.array(t)
  if t == nil then t = {} end
  if type(t) ~= 'table' then
    error("json.array: bad argument #1 't' (table expected, got " .. type(t) .. ')', 2)
  end
  return setmetatable(t, array_mt)
end

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}
local function escape_char(c)
  return escapes[c] or format('\\u%04x', byte(c))
end

local function encode_string(s)
  if find(s, '[%c"\\]') then s = gsub(s, '[%c"\\]', escape_char) end
  return '"' .. s .. '"'
end

local function encode_number(x, path)
  if x ~= x or x == huge or x == -huge then
    error('json.encode: cannot encode ' .. tostring(x) .. ' at ' .. path, 0)
  end
  if x == floor(x) and x >= -9007199254740992 and x <= 9007199254740992 then
    return format('%d', x)
  end
  local s = format('%.14g', x)
  if tonumber(s) ~= x then s = format('%.17g', x) end
  return s
end

local function key_path(path, k)
  if type(k) == 'string' and find(k, '^[%a_][%w_]*$') then return path .. '.' .. k end
  return path .. '[' .. (type(k) == 'string' and format('%q', k) or tostring(k)) .. ']'
end

local encode_value

-- A table with keys 1..n only is an array; one with string keys only an object.
local function encode_table(t, out, path, depth, seen)
  if seen[t] then error('json.encode: cycle at ' .. path, 0) end
  if depth >= 1000 then error('json.encode: nesting deeper than 1000 at ' .. path, 0) end
  local mt = getmetatable(t)
  if mt ~= nil and mt ~= 'json array' then
    error('json.encode: cannot encode a table with a metatable at ' .. path, 0)
  end
  seen[t] = true
  local n, count, strings = #t, 0, false
  for k in pairs(t) do
    count = count + 1
    if type(k) == 'string' then
      strings = true
    elseif type(k) ~= 'number' or k ~= floor(k) or k < 1 or k > n then
      error(format('json.encode: bad key %s (%s) at %s: keys are strings, or 1..n for an array',
        tostring(k), type(k), path), 0)
    end
  end
  if strings and count > 0 and n > 0 then
    error('json.encode: table mixes array items and string keys at ' .. path, 0)
  end
  if count ~= n and not strings then
    error('json.encode: sparse array at ' .. path, 0)
  end
  if n > 0 or (count == 0 and mt == 'json array') then
    out[#out + 1] = '['
    for i = 1, n do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(t[i], out, path .. '[' .. i .. ']', depth + 1, seen)
    end
    out[#out + 1] = ']'
  else
    -- Sorted keys: the same table always encodes to the same text.
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    sort(keys)
    out[#out + 1] = '{'
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = ',' end
      out[#out + 1] = encode_string(k)
      out[#out + 1] = ':'
      encode_value(t[k], out, key_path(path, k), depth + 1, seen)
    end
    out[#out + 1] = '}'
  end
  seen[t] = nil
end

function encode_value(v, out, path, depth, seen)
  local tv = type(v)
  if tv == 'string' then
    out[#out + 1] = encode_string(v)
  elseif tv == 'number' then
    out[#out + 1] = encode_number(v, path)
  elseif tv == 'boolean' then
    out[#out + 1] = v and 'true' or 'false'
  elseif tv == 'table' then
    encode_table(v, out, path, depth, seen)
  elseif v == nil or v == null then
    out[#out + 1] = 'null'
  else
    error('json.encode: cannot encode a ' .. tv .. ' at ' .. path, 0)
  end
end

-- encode(value) -> text; raises on what JSON cannot hold (functions, NaN,
-- cycles, mixed or sparse tables), naming where: "value.users[2].id".
function M.encode(v)
  local out = {}
  encode_value(v, out, 'value', 0, {})
  return concat(out)
end

-- Decoding: a recursive descent over the text; positions are 1-based bytes.
local decode_value

local function fail(s, i, what)
  if i > #s then return error({ 'json.decode: ' .. what .. ' at the end of the text' }) end
  return error({ format('json.decode: %s at position %d (%q)', what, i, sub(s, i, i)) })
end

local function skip(s, i)
  return (find(s, '[^ \t\r\n]', i)) or #s + 1
end

local function utf8(code)
  if code < 0x80 then return char(code) end
  if code < 0x800 then return char(0xC0 + floor(code / 64), 0x80 + code % 64) end
  if code < 0x10000 then
    return char(0xE0 + floor(code / 4096), 0x80 + floor(code / 64) % 64, 0x80 + code % 64)
  end
  return char(0xF0 + floor(code / 262144), 0x80 + floor(code / 4096) % 64,
    0x80 + floor(code / 64) % 64, 0x80 + code % 64)
end

local simple_escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local function decode_string(s, i)
  -- i is at the opening quote
  local parts, j = {}, i + 1
  while true do
    local k = find(s, '["\\%z\1-\31]', j)
    if not k then return fail(s, #s + 1, 'unterminated string') end
    local c = sub(s, k, k)
    if k > j then parts[#parts + 1] = sub(s, j, k - 1) end
    if c == '"' then return concat(parts), k + 1 end
    if c ~= '\\' then return fail(s, k, 'control character in string') end
    local e = sub(s, k + 1, k + 1)
    if simple_escapes[e] then
      parts[#parts + 1] = simple_escapes[e]
      j = k + 2
    elseif e == 'u' then
      local hex = sub(s, k + 2, k + 5)
      if not find(hex, '^%x%x%x%x$') then return fail(s, k, 'bad \\u escape') end
      local code = tonumber(hex, 16)
      j = k + 6
      if code >= 0xD800 and code <= 0xDBFF then
        local low = find(s, '^\\u[dD][c-fC-F]%x%x', j) and tonumber(sub(s, j + 2, j + 5), 16)
        if not low then return fail(s, k, 'lone surrogate in \\u escape') end
        code = 0x10000 + (code - 0xD800) * 1024 + (low - 0xDC00)
        j = j + 6
      elseif code >= 0xDC00 and code <= 0xDFFF then
        return fail(s, k, 'lone surrogate in \\u escape')
      end
      parts[#parts + 1] = utf8(code)
    else
      return fail(s, k, 'bad escape')
    end
  end
end

-- -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?
local function decode_number(s, i)
  local j = i
  if sub(s, j, j) == '-' then j = j + 1 end
  local c = sub(s, j, j)
  if c == '0' then
    j = j + 1
  elseif find(c, '^[1-9]') then
    local _, e = find(s, '^%d+', j)
    j = e + 1
  else
    return fail(s, i, 'bad number')
  end
  if sub(s, j, j) == '.' then
    local _, e = find(s, '^%d+', j + 1)
    if not e then return fail(s, i, 'bad number') end
    j = e + 1
  end
  if find(s, '^[eE]', j) then
    local _, e = find(s, '^[-+]?%d+', j + 1)
    if not e then return fail(s, i, 'bad number') end
    j = e + 1
  end
  return tonumber(sub(s, i, j - 1)), j
end

local literals = { t = { 'true', true }, f = { 'false', false }, n = { 'null', null } }

function decode_value(s, i, depth)
  i = skip(s, i)
  local c = sub(s, i, i)
  if c == '"' then return decode_string(s, i) end
  if c == '{' or c == '[' then
    if depth >= 1000 then return fail(s, i, 'nesting deeper than 1000') end
    local close = c == '{' and '}' or ']'
    local t = c == '[' and setmetatable({}, array_mt) or {}
    local n = 0
    i = skip(s, i + 1)
    if sub(s, i, i) == close then return t, i + 1 end
    while true do
      local v
      if c == '{' then
        if sub(s, i, i) ~= '"' then return fail(s, i, 'expected a string key') end
        local k
        k, i = decode_string(s, i)
        i = skip(s, i)
        if sub(s, i, i) ~= ':' then return fail(s, i, "expected ':'") end
        v, i = decode_value(s, i + 1, depth + 1)
        t[k] = v
      else
        v, i = decode_value(s, i, depth + 1)
        n = n + 1
        t[n] = v
      end
      i = skip(s, i)
      local d = sub(s, i, i)
      if d == close then return t, i + 1 end
      if d ~= ',' then return fail(s, i, "expected ',' or '" .. close .. "'") end
      i = skip(s, i + 1)
    end
  end
  local lit = literals[c]
  if lit then
    if sub(s, i, i + #lit[1] - 1) ~= lit[1] then return fail(s, i, 'unexpected character') end
    return lit[2], i + #lit[1]
  end
  if c == '-' or find(c, '^%d') then return decode_number(s, i) end
  if c == '' then return fail(s, i, 'a value expected') end
  return fail(s, i, 'unexpected character')
end

local function decode(s)
  local v, i = decode_value(s, 1, 0)
  i = skip(s, i)
  if i <= #s then fail(s, i, 'trailing characters') end
  return v
end

-- decode(text) -> value | nil, err: text from outside is data, so a malformed
-- one is an error value, not a raise. null decodes to json.null.
function M.decode(s)
  if type(s) ~= 'string' then
    error("json.decode: bad argument #1 'text' (string expected, got " .. type(s) .. ')', 2)
  end
  local ok, v = pcall(decode, s)
  if ok then return v end
  if type(v) == 'table' then return nil, v[1] end
  error(v, 0)
end

local encode = M.encode
-- As encode, but raising at the caller's line (encode's errors name the path only).
M.encode = function(v)
  local ok, s = pcall(encode, v)
  if ok then return s end
  error(s, 2)
end

return M
