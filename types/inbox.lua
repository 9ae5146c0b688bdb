---@meta inbox
---@type moonbase.Inbox
local inbox = {}
return inbox
