-- http.urlencode / http.urldecode: percent-encoding, '+', malformed escapes
-- (kept as they are, as browsers do), tables as query strings, bad arguments.
local http = require 'http'

print(http.urlencode('a b&c=d/é~-._'))
print(http.urlencode(42))
print(http.urlencode(''))
print(http.urldecode('a+b%20c%2Bd%C3%A9'))
print(http.urldecode('100%'), http.urldecode('%4'), http.urldecode('%zz%41'), http.urldecode('%%41'))
print(http.urldecode(http.urlencode('\0\r\n;,"\'\255')) == '\0\r\n;,"\'\255')
print(http.urlencode({ q = 'x y', tag = { 'a', 'b' }, n = 1, ok = true }))
print(http.urlencode({}))

local function try(f, ...)
  local ok, err = pcall(f, ...)
  print(ok, (tostring(err):gsub('^[^:]*:%d+: ', '')))
end
try(http.urlencode, nil)
try(http.urlencode, { [1] = 'x' })
try(http.urlencode, { a = { {} } })
try(http.urlencode, { a = function() end })
try(http.urldecode, 5)
