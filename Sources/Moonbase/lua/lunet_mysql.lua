-- require 'lunet.mysql': Lunet's names and conventions over `mysql`.
local mysql = require('mysql')
local null, pairs, ipairs = mysql.null, pairs, ipairs
local M = {}
-- SQL NULL is an absent key in Lunet's rows.
local function strip(rows, err)
  if rows == nil then return nil, err end
  for _, row in ipairs(rows) do
    for k, v in pairs(row) do if v == null then row[k] = nil end end
  end
  return rows
end
M.open = mysql.open
function M.query(conn, sql) return strip(mysql.query(conn, sql)) end
function M.exec(conn, sql) return mysql.exec(conn, sql) end
function M.query_params(conn, sql, ...) return strip(mysql.query(conn, sql, ...)) end
function M.exec_params(conn, sql, ...) return mysql.exec(conn, sql, ...) end
function M.close(conn) mysql.close(conn); return nil end
M.escape = mysql.escape
M.settimeout = mysql.settimeout
return M
