-- Static files over HTTP with `http` and `fs`.
--
--   moonbase run examples/static_files.lua serve [root] [port]   serves `root`
--     (default ".") on 127.0.0.1:port (default 8080) until killed.
--   moonbase run examples/static_files.lua   a self-contained demo: makes a
--     temporary folder, serves it on a free port, fetches files and traversal
--     attempts over a real socket, prints what came back, cleans up and exits.
--
-- Safety, in this order:
-- 1. The request path is percent-decoded once; a malformed escape or an
--    absolute-form target ("http://...") is 400. A NUL or "\" (plain or
--    encoded), an encoded "/" (%2F would hide a ".." segment from a proxy's
--    view of the path) or a ".." segment is 403.
-- 2. The remaining path is joined to the root and resolved with fs.realpath
--    (every symbolic link followed); the result must be the root itself or lie
--    under it, else 403. So a link inside the root that points inside it is
--    served, and one that points outside is refused. (A link swapped in
--    between realpath and open can still redirect that one open: serve trees
--    that untrusted users cannot write to.)
-- 3. Only regular files are sent; a folder answers its index.html (resolved
--    and checked the same way) or 404.
-- Files up to one chunk are answered in one piece; larger ones are streamed in
-- 64 KiB chunks, so memory stays flat whatever the file size.
local fs = require 'fs'
local http = require 'http'
local socket = require 'socket'

local CHUNK = 65536

local content_types = {
  html = 'text/html; charset=utf-8', htm = 'text/html; charset=utf-8',
  css = 'text/css', js = 'text/javascript', json = 'application/json',
  txt = 'text/plain; charset=utf-8', svg = 'image/svg+xml', png = 'image/png',
  jpg = 'image/jpeg', jpeg = 'image/jpeg', gif = 'image/gif', ico = 'image/x-icon',
  wasm = 'application/wasm', pdf = 'application/pdf',
}

local function content_type(path)
  local ext = path:match('%.([%w]+)$')
  return ext and content_types[ext:lower()] or 'application/octet-stream'
end

-- The request path made safe to join to the root, or nil and a status.
local function clean_path(target_path)
  if target_path:sub(1, 1) ~= '/' then return nil, 400 end
  for at in target_path:gmatch('()%%') do
    if not target_path:sub(at + 1, at + 2):match('^%x%x$') then return nil, 400 end
  end
  local forbidden = false
  local decoded = target_path:gsub('%%(%x%x)', function(hex)
    local byte = tonumber(hex, 16)
    if byte == 47 then forbidden = true end
    return string.char(byte)
  end)
  if forbidden or decoded:find('[%z\\]') then return nil, 403 end
  local parts = {}
  for segment in decoded:gmatch('[^/]+') do
    if segment == '..' then return nil, 403 end
    if segment ~= '.' then parts[#parts + 1] = segment end
  end
  return '/' .. table.concat(parts, '/')
end

local function inside(root, resolved)
  return resolved == root or resolved:sub(1, #root + 1) == root .. '/'
end

local function send_file(res, path, size)
  local f = fs.open(path, 'rb')
  if not f then return 404, 'not found\n' end
  if size <= CHUNK then
    local data = f:read(CHUNK)
    f:close()
    if not data then return 500, 'read error\n' end
    return 200, data, { ['Content-Type'] = content_type(path) }
  end
  res:status(200):header('Content-Type', content_type(path))
  local sent = 0
  while sent < size do
    local chunk, err = f:read(math.min(CHUNK, size - sent))
    -- Raising after the head went out closes the connection without the last
    -- chunk: the client sees a cut body, never a complete-looking short file
    -- (a read error, or the file shrank while it was sent).
    if not chunk then f:close(); error('static_files: ' .. err) end
    if chunk == '' then f:close(); error('static_files: ' .. path .. ' shrank while sent') end
    sent = sent + #chunk
    if not res:write(chunk) then break end  -- the client went away
  end
  f:close()
  res:finish()
end

-- A handler serving `root` (an absolute path without links, from fs.realpath).
local function file_handler(root)
  return function(req, res)
    if req.method ~= 'GET' and req.method ~= 'HEAD' then
      return 405, 'method not allowed\n', { Allow = 'GET, HEAD' }
    end
    local path, status = clean_path(req.path)
    if not path then return status, status == 400 and 'bad request\n' or 'forbidden\n' end
    local resolved = fs.realpath(root .. path)
    if not resolved then return 404, 'not found\n' end
    if not inside(root, resolved) then return 403, 'forbidden\n' end
    local st = fs.stat(resolved)
    if st and st.type == 'directory' then
      -- index.html may be a link too: resolved and checked the same way
      resolved = fs.realpath(resolved .. '/index.html')
      if not resolved then return 404, 'not found\n' end
      if not inside(root, resolved) then return 403, 'forbidden\n' end
      st = fs.stat(resolved)
    end
    if not st or st.type ~= 'file' then return 404, 'not found\n' end
    return send_file(res, resolved, st.size)
  end
end

if arg and arg[1] == 'serve' then
  local root = assert(fs.realpath(arg[2] or '.'))
  local port = tonumber(arg[3] or 8080)
  local server = assert(http.serve('127.0.0.1', port, file_handler(root)))
  print('serving ' .. root .. ' on http://127.0.0.1:' .. select(2, server:getsockname()) .. '/')
  return
end

-- The demo ------------------------------------------------------------------

local base = os.tmpname(); os.remove(base)
local www = base .. '/www'
assert(fs.mkdir(www .. '/docs', { recursive = true }))
assert(fs.mkdir(www .. '/empty'))
assert(fs.writefile(www .. '/index.html', '<h1>home</h1>\n'))
assert(fs.writefile(www .. '/style.css', 'body { margin: 0 }\n'))
assert(fs.writefile(www .. '/data.json', '{"ok":true}\n'))
assert(fs.writefile(www .. '/notes', 'no extension\n'))
assert(fs.writefile(www .. '/docs/index.html', '<p>docs</p>\n'))
assert(fs.writefile(base .. '/secret.txt', 'outside the root\n'))
-- a 1 MiB file, served in chunks: each 64 KiB block filled with its own letter
local big = assert(fs.open(www .. '/big.bin', 'wb'))
for i = 0, 15 do assert(big:write(string.rep(string.char(65 + i), CHUNK))) end
assert(big:close())
assert(fs.mkdir(www .. '/linked'))
assert(fs.mkdir(www .. '/leaky'))
os.execute(string.format("cd '%s' && ln -s ../secret.txt escape && ln -s style.css alias.css"
  .. " && ln -s ../docs/index.html linked/index.html && ln -s ../../secret.txt leaky/index.html"
  .. " && ln -s .. up", www))

local root = assert(fs.realpath(www))
local server = assert(http.serve('127.0.0.1', 0, file_handler(root)))
local port = select(2, server:getsockname())

-- A raw HTTP/1.1 client: sends `target` exactly as given (no normalisation),
-- reads to the end (Connection: close) and decodes a chunked body.
local function fetch(target, method)
  local conn = assert(socket.connect('127.0.0.1', port))
  assert(conn:write((method or 'GET') .. ' ' .. target .. ' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))
  local parts = {}
  while true do
    local data = conn:read()
    if not data then break end
    parts[#parts + 1] = data
  end
  conn:close()
  local response = table.concat(parts)
  local head, body = response:match('^(.-)\r\n\r\n(.*)$')
  local status = tonumber(head:match('^HTTP/1%.1 (%d+)'))
  local headers = {}
  for name, value in head:gmatch('\r\n([^:]+): ([^\r]*)') do headers[name:lower()] = value end
  if headers['transfer-encoding'] == 'chunked' then
    local out, pos, chunks = {}, 1, 0
    while true do
      local size_hex, after = body:match('^(%x+)\r\n()', pos)
      local size = tonumber(size_hex, 16)
      if size == 0 then break end
      out[#out + 1] = body:sub(after, after + size - 1)
      pos = after + size + 2
      chunks = chunks + 1
    end
    body = table.concat(out)
    headers.chunks = chunks
  end
  return status, headers, body
end

local function show(target, method)
  local status, headers, body = fetch(target, method)
  local line = string.format('%-34s %d %-26s', (method or 'GET') .. ' ' .. target, status, headers['content-type'] or '')
  if #body > 40 then
    local letters = {}
    for i = 1, #body, CHUNK do letters[#letters + 1] = body:sub(i, i) end
    line = line .. string.format(' %d bytes in %s chunks: %s', #body, tostring(headers.chunks), table.concat(letters))
  else
    line = line .. ' ' .. string.format('%q', body):gsub('\\\n', '\\n')
  end
  print((line:gsub('%s+$', '')))
end

print('-- files')
show('/')
show('/index.html')
show('/style.css')
show('/data.json')
show('/notes')
show('/docs')
show('/docs/')
show('/alias.css')
show('/style.css', 'HEAD')
show('/big.bin')
print('-- missing')
show('/missing.html')
show('/empty/')
show('/docs/missing/x')
show('/style.css', 'POST')
print('-- traversal and odd paths')
show('/../secret.txt')
show('/docs/../../secret.txt')
show('/%2e%2e/secret.txt')
show('/%2E%2E/%2e%2e/secret.txt')
show('/docs/..%2f..%2fsecret.txt')
show('/..%2Fsecret.txt')
show('/..%5csecret.txt')
show('/escape')
show('/up/secret.txt')
show('/linked/')
show('/leaky/')
show('/etc/passwd')
show('//etc/passwd')
show('http://localhost/etc/passwd')
show('/index.html%00.txt')
show('/%zz')
show('/style.css%')
show('/./style.css')

server:close()
os.execute("rm -rf '" .. base .. "'")
print('cleaned up:', fs.stat(base) == nil)
