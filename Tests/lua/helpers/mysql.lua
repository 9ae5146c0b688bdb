-- Shared by the mysql_* test scripts: connection settings from scripts/with-mariadb.
-- A test that needs MySQL fails (it does not skip) when no server is ready.
local mysql = require('mysql')
local H = {}
if os.getenv('MOONBASE_MYSQL_STATUS') ~= 'ready' then
  error('MySQL tests need a server: MOONBASE_MYSQL_STATUS is '
    .. tostring(os.getenv('MOONBASE_MYSQL_STATUS')) .. ' (run them under scripts/with-mariadb)', 0)
end
H.opts = {
  host = os.getenv('MOONBASE_MYSQL_HOST') or '127.0.0.1',
  port = tonumber(os.getenv('MOONBASE_MYSQL_PORT') or '3306'),
  user = os.getenv('MOONBASE_MYSQL_USER') or 'moonbase',
  password = os.getenv('MOONBASE_MYSQL_PASSWORD') or '',
  database = os.getenv('MOONBASE_MYSQL_DATABASE') or 'moonbase_test',
}
function H.connect(extra)
  local o = {}
  for k, v in pairs(H.opts) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return assert(mysql.open(o))
end
return H
