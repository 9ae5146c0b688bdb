-- The prelude: what every VM runs before any user code (chunk "=[moonbase prelude]").
-- Arguments: rt (runtime internals), modules (name -> {raw, source, start}), the VM's
-- context, the script's folder and the shipped actors/ folder.
local rt, modules, context, script_dir, actors_dir = ...
local RAISE, SUSPEND = rt.RAISE, rt.SUSPEND
local error, select, type, setmetatable = error, select, type, setmetatable

-- A suspending Swift call returns RAISE, err to make its caller raise err.
-- (Returns exactly what it was given: a call woken with no values returns none.)
local function resumed(...)
  local a, b = ...
  if a == RAISE then error(b, 0) end
  return ...
end
local function suspending(f)
  return function(...) return resumed(f(...)) end
end
rt.resumed, rt.suspending = resumed, suspending

-- Fibers.
local fiber_mt = rt.fiber_metatable
local fiber_methods = { join = suspending(rt.join), detach = rt.detach, interrupt = rt.interrupt }
local interruption_caught = rt.interruption_caught
fiber_mt.__index = function(f, k)
  local m = fiber_methods[k]
  if m ~= nil then return m end
  if k == 'interruption_caught' then return interruption_caught(f) end
end
fiber_mt.__gc = rt.fiber_gc
fiber_mt.__tostring = rt.fiber_tostring
fiber_mt.__eq = function(a, b) return rt.fiber_tostring(a) == rt.fiber_tostring(b) end
spawn = rt.spawn
local current_id = rt.current_id
this_fiber = setmetatable({
  yield = suspending(rt.yield),
  disable_interruption = rt.disable_interruption,
  restore_interruption = rt.restore_interruption,
}, { __index = function(_, k) if k == 'id' then return current_id() end end })
_CONTEXT = context

-- A suspending call inside a user coroutine suspends the whole fiber and
-- then resumes the coroutine in place with what the fiber was given.
local co_create, co_resume, co_yield, co_status = coroutine.create, coroutine.resume, coroutine.yield, coroutine.status
local function pass(co, ok, first, ...)
  if ok and first == SUSPEND and co_status(co) == 'suspended' then
    return pass(co, co_resume(co, co_yield(SUSPEND)))
  end
  return ok, first, ...
end
coroutine.resume = function(co, ...) return pass(co, co_resume(co, ...)) end
local function unwrap(ok, ...)
  if not ok then error((...), 0) end
  return ...
end
coroutine.wrap = function(f)
  local co = co_create(f)
  return function(...) return unwrap(pass(co, co_resume(co, ...))) end
end

-- require: the script's folder, the shipped actors/, then Debian's Lua 5.1 folders.
local function prefix(dir, patterns)
  if dir == '' then return '' end
  local out = {}
  for p in patterns:gmatch('[^;]+') do out[#out + 1] = dir .. '/' .. p end
  return table.concat(out, ';') .. ';'
end
package.path = prefix(script_dir, '?.lua;?/init.lua') .. prefix(actors_dir, '?.lua')
  .. '/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;'
  .. '/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;' .. package.path
package.cpath = prefix(script_dir, '?.so')
  .. '/usr/local/lib/lua/5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;/usr/lib/lua/5.1/?.so;'
  .. package.cpath

for name, def in pairs(modules) do
  package.preload[name] = function()
    if not def.source then return def.raw end
    return assert(loadstring(def.source, '=[moonbase ' .. name .. ']'))(def.raw, rt)
  end
end
for _, sub in ipairs({ 'socket', 'udp', 'fs', 'mysql' }) do
  if package.preload[sub] and not package.preload['lunet.' .. sub] then
    package.preload['lunet.' .. sub] = function() return require(sub) end
  end
end
-- Modules that define globals (spawn_vm, ...) load now, in a fixed order.
local at_start = {}
for name, def in pairs(modules) do
  if def.start then at_start[#at_start + 1] = name end
end
table.sort(at_start)
for _, name in ipairs(at_start) do require(name) end

-- Graceful shutdown (Runtime/Shutdown.swift, docs/API.md "Shutdown"). Modules
-- register hooks with rt.on_shutdown(fn) (a listener stops accepting, idle
-- connections close); a fiber serving a connection shields itself with
-- rt.shield(true) and is left to finish. run_shutdown runs in a fiber of its
-- own: the hooks, then an interruption for every fiber not shielded.
local shutdown_hooks, shielded = {}, {}
rt.shutting_down = false
function rt.on_shutdown(fn) shutdown_hooks[fn] = true; return fn end
function rt.cancel_shutdown(fn) shutdown_hooks[fn] = nil end
function rt.shield(on) shielded[current_id()] = on or nil end
function rt.run_shutdown()
  rt.shutting_down = true
  for fn in pairs(shutdown_hooks) do pcall(fn) end
  rt.interrupt_unshielded(shielded)
end
