-- require 'lunet.fs': Lunet's names; close returns nil on success or the error.
local fs = require('fs')
local m = {}
for k, v in pairs(fs) do m[k] = v end
function m.close(file)
  local ok, err = fs.close(file)
  if ok then return nil end
  return err
end
return m
