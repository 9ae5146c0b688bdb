---@meta log
-- require 'log' (docs/API.md "log").

---@alias moonbase.LogLevel 'debug'|'info'|'warn'|'error'

---@class moonbase.Logger
local Logger = {}
---@param msg string
---@param fields? table<string, any>
function Logger.debug(msg, fields) end
---@param msg string
---@param fields? table<string, any>
function Logger.info(msg, fields) end
---@param msg string
---@param fields? table<string, any>
function Logger.warn(msg, fields) end
---@param msg string
---@param fields? table<string, any>
function Logger.error(msg, fields) end
---A logger adding `fields` to every line.
---@param fields table<string, any>
---@return moonbase.Logger
function Logger.with(fields) end

---@class moonbase.log: moonbase.Logger
local log = {}
---@class moonbase.LogOptions
---@field level? moonbase.LogLevel default 'info' (MOONBASE_LOG_LEVEL)
---@field format? 'line'|'json' default 'line' (MOONBASE_LOG_FORMAT)
---@field file? string|false a file to append to; false: stderr (MOONBASE_LOG_FILE)

---Sets this actor's level, format and target.
---@param opts moonbase.LogOptions
---@return true|nil ok
---@return string? err
function log.configure(opts) end
---Whether lines of `level` are written now.
---@param level moonbase.LogLevel
---@return boolean
function log.enabled(level) end
---One access-log line (level info, message 'access').
---@param r {remote_addr?: string, method?: string, path?: string, status?: integer, bytes?: integer, duration?: number}
function log.access(r) end
return log
