---@meta mysql
---@class moonbase.MySQLConnection
local Conn = {}
---@param sql string
---@param ... any parameters for `?`
---@return table[]|nil rows
---@return string? err
function Conn:query(sql, ...) end
---@param sql string
---@param ... any
---@return {affected_rows: integer, last_insert_id: integer}|nil
---@return string? err
function Conn:exec(sql, ...) end
---@return true
function Conn:close() end
---@param s string
---@return string
function Conn:escape(s) end
---@param seconds number
function Conn:settimeout(seconds) end

---@class moonbase.MySQLOptions
---@field host? string default 127.0.0.1
---@field port? integer default 3306
---@field user? string default root
---@field password? string
---@field database? string
---@field unix_socket? string
---@field charset? string default utf8mb4
---@field connect_timeout? number
---@field read_timeout? number
---@field write_timeout? number
---@field multi_statements? boolean

---@class moonbase.mysql
---@field null lightuserdata SQL NULL (also json.null)
local mysql = {}
---@param opts moonbase.MySQLOptions
---@return moonbase.MySQLConnection|nil
---@return string? err
function mysql.open(opts) end
---@return table[]|nil
---@return string? err
function mysql.query(conn, sql, ...) end
---@return {affected_rows: integer, last_insert_id: integer}|nil
---@return string? err
function mysql.exec(conn, sql, ...) end
---@return true
function mysql.close(conn) end
---@return string
function mysql.escape(conn, s) end
function mysql.settimeout(conn, seconds) end
return mysql
