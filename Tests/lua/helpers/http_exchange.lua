-- One raw HTTP exchange on a fresh connection (the request should say
-- Connection: close): the response as sent, less its Date header.
local socket = require 'socket'
return function(port, request)
  local conn = assert(socket.connect('127.0.0.1', port))
  assert(conn:write(request))
  local out = {}
  while true do
    local data = conn:read()
    if not data then break end
    out[#out + 1] = data
  end
  conn:close()
  return (table.concat(out):gsub('Date: [^\r]*\r\n', ''):gsub('\r\n', '\n'))
end
