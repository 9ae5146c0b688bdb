-- `SELECT 1` round trips per second: N fibers, each on its own connection,
-- for D seconds. With `prepared`, `SELECT ?` with a parameter (a prepared
-- statement, cached per connection) instead of the text protocol.
-- Usage: moonbase run --threads 1 mysql_select1.lua [fibers] [seconds] [prepared]
local mysql = require('mysql')
local time = require('time')
local fibers = tonumber(arg[1] or '1')
local seconds = tonumber(arg[2] or '3')
local prepared = arg[3] == 'prepared'
local opts = {
  host = os.getenv('MOONBASE_MYSQL_HOST') or '127.0.0.1',
  port = tonumber(os.getenv('MOONBASE_MYSQL_PORT') or '3306'),
  user = os.getenv('MOONBASE_MYSQL_USER') or 'root',
  password = os.getenv('MOONBASE_MYSQL_PASSWORD') or '',
  database = os.getenv('MOONBASE_MYSQL_DATABASE') or 'test',
}
local conns = {}
for i = 1, fibers do conns[i] = assert(mysql.open(opts)) end
local total, stop = 0, false
local workers = {}
local t0 = time.monotonic()
for i = 1, fibers do
  workers[i] = spawn(function()
    local c, n = conns[i], 0
    while not stop do
      local rows
      if prepared then rows = c:query('SELECT ?', 1) else rows = c:query('SELECT 1') end
      if not rows then error('query failed') end
      n = n + 1
    end
    total = total + n
  end)
end
time.sleep(seconds)
stop = true
for i = 1, fibers do workers[i]:join() end
local elapsed = time.monotonic() - t0
for i = 1, fibers do conns[i]:close() end
print(('%d'):format(math.floor(total / elapsed)))
