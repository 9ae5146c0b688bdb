--! args: --threads 1
-- arg and ... as the stand-alone interpreter sets them; require finds the script's folder
print(arg[0]:match('script_args.lua$') ~= nil, arg[-1], #arg, select('#', ...))
print(_CONTEXT)
print(require('helpers.greeting').hello('moonbase'))
print(package.path:find('/usr/share/lua/5.1/?.lua', 1, true) ~= nil,
      package.cpath:find('/usr/lib/x86_64-linux-gnu/lua/5.1/?.so', 1, true) ~= nil)
local ok, cjson = pcall(require, 'cjson')
print('cjson from Debian:', ok and cjson.encode({1, 2}) or 'missing')
