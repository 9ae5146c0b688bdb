-- Actors: spawn_vm, the methods of addresses and of the inbox; run by every VM at
-- start (the messaging module). `require 'inbox'` returns the VM's inbox.
local raw, rt = ...
local suspending = rt.suspending
local error, type = error, type

local address_index = { send = suspending(rt.send), monitor = rt.monitor, close = rt.close_address }
rt.address_metatable.__index = address_index
rt.address_metatable.__metatable = 'address'
local try_receive, wait_message = rt.try_receive, suspending(rt.wait_message)
rt.inbox_metatable.__index = {
  send = address_index.send,
  receive = function(self)
    while true do
      local ok, msg = try_receive()
      if ok then return msg end
      wait_message()
    end
  end,
  close = rt.close_inbox,
}
rt.inbox_metatable.__metatable = 'inbox'
local searchpath = package.searchpath
function spawn_vm(module, opts)
  if type(module) ~= 'string' then
    error("spawn_vm: bad argument #1 'module' (string expected, got " .. type(module) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= 'table' then
    error("spawn_vm: bad argument #2 'opts' (table expected, got " .. type(opts) .. ")", 2)
  end
  local path, err
  if module == '.' then path = rt.script_path else path, err = searchpath(module, package.path) end
  if not path then error("spawn_vm: module '" .. module .. "' not found:" .. err, 2) end
  return rt.spawn_vm(path, opts)
end

return rt.inbox
