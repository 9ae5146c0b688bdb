-- require 'log': leveled lines with key-value fields, as logfmt ('line') or
-- JSON, to stderr or a file (Swift half: Modules/Log/, written by a thread of
-- its own: Runtime/ErrorLog.swift). Settings are per actor; the
-- MOONBASE_LOG_LEVEL / _FORMAT / _FILE environment variables set the defaults.
local raw = ...
local json = require 'json'
local now = require('time').now
local worker = require('moonbase').worker()
local actor = raw.actor()
local write = raw.write
local type, tostring, pairs, sort, concat = type, tostring, pairs, table.sort, table.concat
local format, floor, date, error = string.format, math.floor, os.date, error

local levels = { debug = 10, info = 20, warn = 30, error = 40 }
local formats = { line = true, json = true }
local settings = { level = 20, format = 'line', target = 0 }

local function bad(fn, n, name, what)
  error(format('%s: bad argument #%d \'%s\' (%s)', fn, n, name, what), 3)
end

-- Timestamps: UTC, milliseconds, the date part made once a second.
local last_second, second_text = -1, ''
local function timestamp()
  local t = now()
  local s = floor(t)
  if s ~= last_second then last_second, second_text = s, date('!%Y-%m-%dT%H:%M:%S', s) end
  return format('%s.%03dZ', second_text, floor((t - s) * 1000))
end

-- logfmt: a value is quoted when empty or holding a space, '=', '"' or a control byte.
local function line_value(v)
  local tv = type(v)
  if tv == 'number' then
    if v == floor(v) and v > -1e15 and v < 1e15 then return format('%d', v) end
    return tostring(v)
  elseif tv == 'boolean' then return tostring(v)
  elseif tv == 'table' then
    local ok, text = pcall(json.encode, v)
    v = ok and text or tostring(v)
  elseif tv ~= 'string' then v = tostring(v) end
  if v ~= '' and not v:find('[%s="%c\\]') then return v end
  return '"' .. v:gsub('[\\"%c]', function(c)
    if c == '\\' or c == '"' then return '\\' .. c end
    if c == '\n' then return '\\n' elseif c == '\t' then return '\\t' elseif c == '\r' then return '\\r' end
    return format('\\u%04x', c:byte())
  end) .. '"'
end

local function json_value(v)
  local ok, text = pcall(json.encode, v)
  return ok and text or json.encode(tostring(v))
end

local function sorted_keys(fields)
  local keys = {}
  for k in pairs(fields) do keys[#keys + 1] = k end
  sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- One line: time, level, worker, actor, msg, then the fields in `keys` order.
local function emit(level, msg, fields, keys)
  local out
  if settings.format == 'json' then
    out = { '{"time":"', timestamp(), '","level":"', level, '","worker":', worker,
            ',"actor":', actor, ',"msg":', json_value(msg) }
    for i = 1, #keys do
      local k = keys[i]
      out[#out + 1] = ',' .. json.encode(tostring(k)) .. ':' .. json_value(fields[k])
    end
    out[#out + 1] = '}\n'
  else
    out = { 'time=', timestamp(), ' level=', level, ' worker=', worker, ' actor=', actor,
            ' msg=', line_value(msg) }
    for i = 1, #keys do
      local k = keys[i]
      out[#out + 1] = ' ' .. tostring(k) .. '=' .. line_value(fields[k])
    end
    out[#out + 1] = '\n'
  end
  write(settings.target, concat(out))
end

local M = {}

-- A logger: bound fields merged under each call's own.
local function logger(bound)
  local L = {}
  for name, rank in pairs(levels) do
    local fn = 'log.' .. name
    L[name] = function(msg, fields)
      if type(msg) ~= 'string' then bad(fn, 1, 'message', 'string expected, got ' .. type(msg)) end
      if fields ~= nil and type(fields) ~= 'table' then
        bad(fn, 2, 'fields', 'table expected, got ' .. type(fields))
      end
      if rank < settings.level then return end
      local all = fields or {}
      if bound then
        all = {}
        for k, v in pairs(bound) do all[k] = v end
        for k, v in pairs(fields or {}) do all[k] = v end
      end
      emit(name, msg, all, sorted_keys(all))
    end
  end
  L.with = function(fields)
    if type(fields) ~= 'table' then bad('log.with', 1, 'fields', 'table expected, got ' .. type(fields)) end
    local merged = {}
    for k, v in pairs(bound or {}) do merged[k] = v end
    for k, v in pairs(fields) do merged[k] = v end
    return logger(merged)
  end
  return L
end

for k, v in pairs(logger(nil)) do M[k] = v end

-- log.enabled(level) -> bool: whether lines of that level are written now.
function M.enabled(level)
  local rank = levels[level]
  if not rank then bad('log.enabled', 1, 'level', 'debug, info, warn or error expected, got ' .. tostring(level)) end
  return rank >= settings.level
end

-- log.configure{level=, format=, file=} -> true | nil, err. file = false: stderr.
function M.configure(opts)
  if type(opts) ~= 'table' then bad('log.configure', 1, 'options', 'table expected, got ' .. type(opts)) end
  for k in pairs(opts) do
    if k ~= 'level' and k ~= 'format' and k ~= 'file' then
      bad('log.configure', 1, 'options', 'unknown option ' .. tostring(k))
    end
  end
  local level, fmt, file = opts.level, opts.format, opts.file
  if level ~= nil and not levels[level] then
    bad('log.configure', 1, 'level', 'debug, info, warn or error expected, got ' .. tostring(level))
  end
  if fmt ~= nil and not formats[fmt] then
    bad('log.configure', 1, 'format', "'line' or 'json' expected, got " .. tostring(fmt))
  end
  if file ~= nil and file ~= false and type(file) ~= 'string' then
    bad('log.configure', 1, 'file', 'string or false expected, got ' .. type(file))
  end
  local target = settings.target
  if file == false then target = 0
  elseif file ~= nil then
    local t, err = raw.open(file)
    if not t then return nil, err end
    target = t
  end
  settings.target = target
  if level ~= nil then settings.level = levels[level] end
  if fmt ~= nil then settings.format = fmt end
  return true
end

-- log.access{remote_addr=, method=, path=, status=, bytes=, duration=}: one
-- request, at level info, message 'access', fields in this order (for the
-- HTTP server's access log; duration in seconds).
local access_keys = { 'remote_addr', 'method', 'path', 'status', 'bytes', 'duration' }
function M.access(r)
  if type(r) ~= 'table' then bad('log.access', 1, 'request', 'table expected, got ' .. type(r)) end
  if levels.info < settings.level then return end
  local keys = {}
  for i = 1, #access_keys do
    if r[access_keys[i]] ~= nil then keys[#keys + 1] = access_keys[i] end
  end
  emit('info', 'access', r, keys)
end

-- Defaults from the environment (deployment: systemd Environment=, docker -e).
local env_level, env_format, env_file = os.getenv('MOONBASE_LOG_LEVEL'), os.getenv('MOONBASE_LOG_FORMAT'),
  os.getenv('MOONBASE_LOG_FILE')
if env_level and not levels[env_level] then error('log: MOONBASE_LOG_LEVEL: unknown level ' .. env_level, 0) end
if env_format and not formats[env_format] then error('log: MOONBASE_LOG_FORMAT: unknown format ' .. env_format, 0) end
local ok, err = M.configure{ level = env_level, format = env_format, file = env_file }
if not ok then error('log: MOONBASE_LOG_FILE: cannot open ' .. env_file .. ': ' .. err, 0) end

return M
