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
local current_id, fiber_local = rt.current_id, rt.fiber_local
this_fiber = setmetatable({
  yield = suspending(rt.yield),
  disable_interruption = rt.disable_interruption,
  restore_interruption = rt.restore_interruption,
  forbid_suspend = rt.forbid_suspend,
  allow_suspend = rt.allow_suspend,
}, { __index = function(_, k)
  if k == 'id' then return current_id() end
  if k == 'local_' then return fiber_local() end
end })
_CONTEXT = context

-- Interruption points (Emilua): an interrupted fiber, interruption enabled,
-- raises when it calls pcall, xpcall, coroutine.resume or a wrap's function,
-- before the body runs.
local raw_pcall, raw_xpcall = pcall, xpcall
-- (rt.fiber_counts[1]: how many live fibers of this VM were interrupted;
-- Swift is asked only then.)
local interruption_point, fiber_counts = rt.interruption_point, rt.fiber_counts
pcall = function(f, ...)
  if fiber_counts[1] ~= 0 and interruption_point() == RAISE then error('interrupted', 0) end
  return raw_pcall(f, ...)
end
xpcall = function(f, handler, ...)
  if fiber_counts[1] ~= 0 and interruption_point() == RAISE then error('interrupted', 0) end
  return raw_xpcall(f, handler, ...)
end

-- The fiber's own coroutine belongs to the scheduler: at fiber level
-- coroutine.running() is nil and coroutine.yield() raises, as in a main thread.
-- A suspending call inside a user coroutine suspends the whole fiber and
-- then resumes the coroutine in place with what the fiber was given; while
-- it is parked so, other fibers see it 'normal' and cannot resume it.
local co_create, co_resume, co_yield, co_status, co_running =
  coroutine.create, coroutine.resume, coroutine.yield, coroutine.status, coroutine.running
local user_coroutines = setmetatable({}, { __mode = 'k' })
local parked = setmetatable({}, { __mode = 'k' })
local function unpark(co, ...)
  parked[co] = nil
  return ...
end
local function pass(co, ok, first, ...)
  if ok and first == SUSPEND and co_status(co) == 'suspended' then
    parked[co] = true
    return pass(co, co_resume(co, unpark(co, co_yield(SUSPEND))))
  end
  return ok, first, ...
end
local function create(f)
  local co = co_create(f)
  user_coroutines[co] = true
  return co
end
coroutine.create = create
coroutine.resume = function(co, ...)
  if fiber_counts[1] ~= 0 and interruption_point() == RAISE then error('interrupted', 0) end
  if parked[co] then error('cannot resume non-suspended coroutine', 2) end
  return pass(co, co_resume(co, ...))
end
local function unwrap(ok, ...)
  if not ok then error((...), 0) end
  return ...
end
coroutine.wrap = function(f)
  local co = create(f)
  return function(...)
    if fiber_counts[1] ~= 0 and interruption_point() == RAISE then error('interrupted', 0) end
    if parked[co] then error('cannot resume non-suspended coroutine', 2) end
    return unwrap(pass(co, co_resume(co, ...)))
  end
end
coroutine.running = function()
  local co = co_running()
  if user_coroutines[co] then return co end
  return nil
end
coroutine.yield = function(...)
  if not user_coroutines[co_running()] then error('attempt to yield from outside a coroutine', 2) end
  return co_yield(...)
end
coroutine.status = function(co)
  if parked[co] then return 'normal' end
  return co_status(co)
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

-- The runtime's own modules keep Lua's pcall/xpcall (no interruption
-- point): they use them for cleanup, which must run even in an interrupted fiber.
local function load_module(chunk, def)
  local user_pcall, user_xpcall = pcall, xpcall
  pcall, xpcall = raw_pcall, raw_xpcall
  local ok, m = raw_pcall(chunk, def.raw, rt)
  pcall, xpcall = user_pcall, user_xpcall
  if not ok then error(m, 0) end
  return m
end
for name, def in pairs(modules) do
  package.preload[name] = function()
    if not def.source then return def.raw end
    return load_module(assert(loadstring(def.source, '=[moonbase ' .. name .. ']')), def)
  end
end
for _, sub in ipairs({ 'socket', 'udp', 'fs', 'mysql', 'signal' }) do
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
