local raw, rt = ...
local sleep = require('time').sleep
local lunet = {}
function lunet.spawn(fn, ...)
  if type(fn) ~= 'function' then
    error("lunet.spawn: bad argument #1 'fn' (function expected, got " .. type(fn) .. ")", 2)
  end
  return rt.resumed(rt.spawn_first(fn, ...))
end
function lunet.sleep(ms)
  if type(ms) ~= 'number' then
    error("lunet.sleep: bad argument #1 'ms' (number expected, got " .. type(ms) .. ")", 2)
  end
  return sleep(ms / 1000)
end
-- lunet.socket, lunet.fs, ... load on first use.
return setmetatable(lunet, { __index = function(t, k)
  if type(k) == 'string' and package.preload['lunet.' .. k] then
    local m = require('lunet.' .. k)
    rawset(t, k, m)
    return m
  end
end })
