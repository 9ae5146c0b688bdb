--! args: --threads 1
-- require 'log': levels, fields, logfmt and JSON, stderr and a file, errors.
local log = require 'log'
local time = require 'time'

-- stderr, line format (the default): debug is below the default level 'info'
log.debug('not shown')
log.info('started', { port = 8080, name = 'two words', ok = true })
log.warn('slow', { ms = 12.5, quote = 'say "hi"', empty = '' })
print('enabled debug', log.enabled('debug'), 'info', log.enabled('info'))

-- a file, JSON format, level debug; a child logger with bound fields
local path = os.tmpname()
assert(log.configure{ file = path, format = 'json', level = 'debug' })
log.debug('to the file', { n = 1 })
local req = log.with{ request_id = 'abc' }
req.error('failed', { status = 500 })
log.access{ remote_addr = '127.0.0.1:5000', method = 'GET', path = '/x', status = 200, bytes = 12, duration = 0.25 }

-- lines reach the file from the writer thread: wait for them
local lines
for _ = 1, 200 do
  local f = assert(io.open(path))
  lines = {}
  for l in f:lines() do lines[#lines + 1] = l end
  f:close()
  if #lines >= 3 then break end
  time.sleep(0.01)
end
for _, l in ipairs(lines) do print((l:gsub('"time":"[^"]+"', '"time":T'))) end
os.remove(path)

-- back to stderr, line format
assert(log.configure{ file = false, format = 'line' })
log.access{ remote_addr = '::1', method = 'POST', path = '/a b', status = 201, bytes = 0, duration = 0.001 }
local ok, err = log.configure{ file = '/nonexistent/dir/app.log' }
print('bad file', ok, err)

local function e(f, ...)
  local ok, msg = pcall(f, ...)
  print((tostring(msg):gsub('^[^:]+:%d+: ', '')))
end
e(log.info, nil)
e(log.info, 'x', 'y')
e(log.configure, { level = 'loud' })
e(log.configure, { format = 'xml' })
e(log.configure, { colour = true })
e(log.enabled, 'trace')
