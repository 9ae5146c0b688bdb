-- require 'fs': the policy half of the module (modes, readfile, writefile,
-- recursive mkdir); raw holds the Swift functions (Modules/FS/).
local raw, rt = ...
local suspending, resumed = rt.suspending, rt.resumed
local type, error, tostring, concat = type, error, tostring, table.concat
local fs = {}

fs.open = suspending(raw.open)
local read_raw, give_way = raw.read, suspending(rt.yield)
-- raw.read returns data, true when it read cached data without suspending and
-- it is this fiber's turn to let the others run.
function fs.read(file, n)
  local data, err = resumed(read_raw(file, n))
  if err == nil then return data end
  if err == true then give_way(); return data end
  return data, err
end
fs.write = suspending(raw.write)
fs.close = suspending(raw.close)
fs.fsync = suspending(raw.fsync)
fs.fstat = suspending(raw.fstat)
fs.seek = raw.seek
fs.tell = raw.tell
fs.stat = suspending(raw.stat)
fs.lstat = suspending(raw.lstat)
fs.scandir = suspending(raw.scandir)
fs.realpath = suspending(raw.realpath)
fs.rmdir = suspending(raw.rmdir)
fs.unlink = suspending(raw.unlink)
fs.rename = suspending(raw.rename)
local mkdir1 = suspending(raw.mkdir)

-- mkdir(path, mode?, opts?) or mkdir(path, opts): opts.recursive makes missing
-- parents and accepts an existing folder (as mkdir -p).
function fs.mkdir(path, mode, opts)
  if type(mode) == 'table' and opts == nil then opts, mode = mode, nil end
  if type(path) ~= 'string' then
    error("fs.mkdir: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  if mode ~= nil and type(mode) ~= 'number' then
    error("fs.mkdir: bad argument #2 'mode' (number expected, got " .. type(mode) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= 'table' then
    error("fs.mkdir: bad argument #3 'opts' (table expected, got " .. type(opts) .. ")", 2)
  end
  if not (opts and opts.recursive) then return mkdir1(path, mode) end
  local prefix = path:sub(1, 1) == '/' and '/' or ''
  local ok, err
  for part in path:gmatch('[^/]+') do
    prefix = prefix .. part
    ok, err = mkdir1(prefix, mode)
    if not ok then
      if err:sub(1, 7) ~= 'EEXIST:' then return nil, err end
      local st = fs.stat(prefix)
      if not st or st.type ~= 'directory' then return nil, err end
    end
    prefix = prefix .. '/'
  end
  return true
end

fs.READFILE_LIMIT = 64 * 1024 * 1024

-- readfile(path, opts?) -> data | nil, err; refuses files over opts.limit
-- (default fs.READFILE_LIMIT) with nil, "EFBIG: <path>".
function fs.readfile(path, opts)
  if type(path) ~= 'string' then
    error("fs.readfile: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  local limit = (type(opts) == 'table' and opts.limit) or fs.READFILE_LIMIT
  local f, err = fs.open(path, 'rb')
  if not f then return nil, err end
  local ok, data, e = pcall(function()
    local st, err = fs.fstat(f)
    if not st then return nil, err end
    if st.size > limit then return nil, 'EFBIG: ' .. path end
    local parts, total = {}, 0
    while true do
      local want = st.size - total
      if want <= 0 then want = 65536 end
      if want > limit - total + 1 then want = limit - total + 1 end
      local chunk, err = fs.read(f, want)
      if not chunk then return nil, err end
      if chunk == '' then break end
      total = total + #chunk
      if total > limit then return nil, 'EFBIG: ' .. path end
      parts[#parts + 1] = chunk
    end
    return concat(parts)
  end)
  fs.close(f)
  if not ok then error(data, 0) end
  if data == nil then return nil, e end
  return data
end

local counter = 0
-- writefile(path, data, opts?) -> true | nil, err. opts.atomic: write a temporary
-- file in the same folder, fsync it, then rename it over path.
function fs.writefile(path, data, opts)
  if type(path) ~= 'string' then
    error("fs.writefile: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  if type(data) ~= 'string' then
    error("fs.writefile: bad argument #2 'data' (string expected, got " .. type(data) .. ")", 2)
  end
  local atomic = type(opts) == 'table' and opts.atomic
  local target = path
  if atomic then
    counter = counter + 1
    local dir, base = path:match('^(.*/)([^/]*)$')
    if not dir then dir, base = '', path end
    target = dir .. '.' .. base .. '.tmp-' .. tostring(rt.current_id()) .. '-' .. counter
      .. '-' .. tostring(math.random(1, 1e9))
  end
  local f, err = fs.open(target, 'wb')
  if not f then
    if atomic then err = (err:match('^[^:]+') or err) .. ': ' .. path end
    return nil, err
  end
  local ok, wok, werr = pcall(function()
    local ok, err = fs.write(f, data)
    if not ok then return nil, err end
    if atomic then return fs.fsync(f) end
    return true
  end)
  local cok, cerr = fs.close(f)
  if ok and wok and not cok then wok, werr = nil, cerr end
  if atomic then
    if ok and wok then
      wok, werr = fs.rename(target, path)
    end
    if not (ok and wok) then fs.unlink(target) end
  end
  if not ok then error(wok, 0) end
  if not wok then
    -- An atomic write's failures name the caller's path, not the temporary file.
    if atomic and type(werr) == 'string' and werr:find(target, 1, true) then
      werr = (werr:match('^[^:]+') or werr) .. ': ' .. path
    end
    return nil, werr
  end
  return true
end

local File = {
  read = fs.read, write = fs.write, close = fs.close, seek = fs.seek, tell = fs.tell,
  fsync = fs.fsync, stat = fs.fstat,
}
raw.set_file_metatable({ __index = File, __gc = raw.gc, __tostring = raw.tostring, __metatable = 'fs.file' })
return fs
