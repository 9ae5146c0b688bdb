-- require 'lunet.fs': Lunet's names; close returns nil on success or the error,
-- write the byte count.
local fs = require('fs')
local m = {}
for k, v in pairs(fs) do m[k] = v end
function m.close(file)
  local ok, err = fs.close(file)
  if ok then return nil end
  return err
end
-- Lunet pushes the request's result: the number of bytes written.
function m.write(file, data)
  local ok, err = fs.write(file, data)
  if not ok then return nil, err end
  return #data
end
return m
