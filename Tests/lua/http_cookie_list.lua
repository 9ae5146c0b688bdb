-- Several res:cookie calls: one Set-Cookie line each, whether the answer is
-- returned or finished (needs http.respond's list-valued headers).
local http = require 'http'
local exchange = require 'helpers.http_exchange'

local server = assert(http.serve('127.0.0.1', 0, function(req, res)
  res:cookie('a', '1'):cookie('b', '2', { path = '/' }):cookie('c', '3', { same_site = 'Strict' })
  if req.path == '/finish' then return res:finish('done') end
  return 200, 'returned', { ['X-Other'] = 'yes' }
end))
local _, port = server:getsockname()
for _, path in ipairs({ '/return', '/finish' }) do
  local text = exchange(port, 'GET ' .. path .. ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  -- header lines sorted: the order of different header names is the
  -- table's iteration order (the cookies' own order is kept, a list)
  local headers = {}
  for line in text:gmatch('[^\n]+') do
    if line:find('^Set%-Cookie') or line:find('^X%-') then headers[#headers + 1] = line
    elseif not line:find(':') then
      if #headers > 0 then table.sort(headers); print(table.concat(headers, '\n')); headers = {} end
      print(line)
    end
  end
end
server:close()
