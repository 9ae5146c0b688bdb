-- mysql.open{unix_socket = path} connects through the socket whatever host and
-- port say (nothing listens on 127.0.0.1:1): Connector/C uses a socket only for
-- host "localhost" or none, so the host is not passed with a socket.
local mysql = require('mysql')
local H = require('helpers.mysql')
local sock = assert(os.getenv('MOONBASE_MYSQL_SOCKET'), 'MOONBASE_MYSQL_SOCKET is not set')
local function open(extra)
  local o = { unix_socket = sock, user = H.opts.user, password = H.opts.password,
    database = H.opts.database, connect_timeout = 5 }
  for k, v in pairs(extra) do o[k] = v end
  return mysql.open(o)
end
-- the server sees a socket client as user@localhost, a TCP one as user@127.0.0.1
for _, extra in ipairs({ {}, { host = '127.0.0.1', port = 1 }, { host = 'localhost', port = 1 },
    { host = '192.0.2.1', port = 3306 } }) do
  local conn, err = open(extra)
  local user = conn and conn:query('SELECT USER() AS u')[1].u
  print('host', extra.host, 'port', extra.port, '->', user and user:match('@(.*)$'), err)
  if conn then conn:close() end
end
-- a missing socket fails, and does not fall back to TCP
local conn, err = open({ unix_socket = '/nonexistent/mysqld.sock', host = H.opts.host, port = H.opts.port })
print('missing socket:', conn, err and err:match('^%d+'))
