-- require 'json': encode/decode. The walk over values and the parser are Swift
-- (Modules/JSON/); this file keeps the module's shape and the error texts.
local raw = ...
local type, tostring, error, setmetatable = type, tostring, error, setmetatable
local format, find, sub = string.format, string.find, string.sub
local raw_encode, raw_decode = raw.encode, raw.decode

-- One null for the whole runtime: rows from mysql encode their NULLs as null.
local null = require('mysql').null
local M = { null = null }

-- Marks a table as a JSON array, so that an empty one encodes as [] (an empty
-- table without the mark is {}). Decoded arrays carry the mark.
-- (The runtime makes the mark: messages between actors carry it.)
local array_mt = raw.array_metatable()
function M.array(t)
  if t == nil then t = {} end
  if type(t) ~= 'table' then
    error("json.array: bad argument #1 't' (table expected, got " .. type(t) .. ')', 2)
  end
  return setmetatable(t, array_mt)
end

-- "value.users[2].id": keys that are names after a dot, others quoted in [].
local function path_text(steps)
  local path = 'value'
  for i = 1, #steps do
    local k = steps[i]
    if type(k) == 'number' then
      path = path .. '[' .. k .. ']'
    elseif find(k, '^[%a_][%w_]*$') then
      path = path .. '.' .. k
    else
      path = path .. '[' .. format('%q', k) .. ']'
    end
  end
  return path
end

-- What the encoder refused (`why`), where (`steps`), and the value or key at fault.
local function encode_failure(why, steps, offender)
  local at = ' at ' .. path_text(steps)
  if why == 'key' then
    return format('json.encode: bad key %s (%s)%s: keys are strings, or 1..n for an array',
      tostring(offender), type(offender), at)
  end
  if why == 'number' then return 'json.encode: cannot encode ' .. tostring(offender) .. at end
  if why == 'type' then return 'json.encode: cannot encode a ' .. type(offender) .. at end
  if why == 'cycle' then return 'json.encode: cycle' .. at end
  if why == 'depth' then return 'json.encode: nesting deeper than 1000' .. at end
  if why == 'metatable' then return 'json.encode: cannot encode a table with a metatable' .. at end
  if why == 'mixed' then return 'json.encode: table mixes array items and string keys' .. at end
  return 'json.encode: sparse array' .. at
end

-- Holds an object's values while its keys are sorted (emptied after each call).
local scratch = {}

-- encode(value) -> text; raises on what JSON cannot hold (functions, NaN,
-- cycles, mixed or sparse tables), naming where: "value.users[2].id".
-- A table with keys 1..n only is an array, one with string keys only an
-- object (keys sorted: the same table always encodes to the same text).
function M.encode(v)
  local text, why, steps, offender = raw_encode(v, array_mt, scratch)
  if text then return text end
  error(encode_failure(why, steps, offender), 2)
end

-- decode(text) -> value | nil, err: text from outside is data, so a malformed
-- one is an error value, not a raise. null decodes to json.null.
function M.decode(s)
  if type(s) ~= 'string' then
    error("json.decode: bad argument #1 'text' (string expected, got " .. type(s) .. ')', 2)
  end
  local v, what, at = raw_decode(s, array_mt)
  if what == nil then return v end
  if at > #s then return nil, 'json.decode: ' .. what .. ' at the end of the text' end
  return nil, format('json.decode: %s at position %d (%q)', what, at, sub(s, at, at))
end

return M
