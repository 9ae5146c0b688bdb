---@meta json
---@class moonbase.json
---@field null lightuserdata JSON null (also mysql.null)
local json = {}
---@param value any
---@return string
function json.encode(value) end
---@param text string
---@return any|nil value
---@return string? err
function json.decode(text) end
---Marks `t` (default a new table) as an array: an empty one encodes as [].
---@param t? table
---@return table
function json.array(t) end
return json
