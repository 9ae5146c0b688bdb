import CLuaJIT
import CMoonbaseShim

/// Sets up a fresh VM: internals, globals, `require` paths and modules.
enum Prelude {
    /// Every module `require` can load besides Lua's own.
    static let modules: [LuaModule] = [
        TimeModule.definition,
        MutexModule.definition,
        ConditionVariableModule.definition,
        ChannelModule.definition,
        LunetModule.definition,
        ActorsModule.definition,
        RuntimeInfoModule.definition,
        FSModule.definition, FSModule.lunetDefinition,
        SocketModule.definition,
        LunetSocketModule.definition,
        HTTPModule.definition,
        UDPModule.definition,
        MySQLModule.definition,
        LunetMySQLModule.definition,
        JSONModule.definition,
    ]

    static func install(_ vm: VM) {
        let L = vm.L
        let lua = LuaState(L)
        let base = lua.top
        // internals (rt): sentinels and the Swift core functions.
        lua_createtable(L, 0, 32)
        let internals = lua.top
        lua.pushLightUserdata(Sentinel.suspend)
        lua.rawSetField(internals, "SUSPEND")
        lua.pushLightUserdata(Sentinel.raise)
        lua.rawSetField(internals, "RAISE")
        FibersModule.install(vm, into: internals)
        ActorsModule.install(vm, into: internals)
        lua.push(vm.runtime.scriptPath)
        lua.rawSetField(internals, "script_path")
        // modules: name -> { raw = {Swift functions}, source = "..." }
        lua_createtable(L, 0, Int32(modules.count))
        let table = lua.top
        for module in modules {
            lua_createtable(L, 0, 2)
            lua_createtable(L, 0, Int32(module.functions.count))
            for (name, fn) in module.functions { vm.setFunction(-1, name, fn) }
            lua.rawSetField(-2, "raw")
            if let source = module.source {
                lua.push(source)
                lua.rawSetField(-2, "source")
            }
            lua.rawSetField(table, module.name)
        }
        lua.push(vm.context)
        lua.push(vm.runtime.scriptDirectory)
        lua.push(vm.runtime.actorsDirectory ?? "")
        let status = luaL_loadbuffer(L, preludeSource, preludeSource.utf8.count, "=[moonbase prelude]")
        precondition(status == 0, "moonbase: prelude does not compile: \(lua.toString(-1) ?? "")")
        lua_insert(L, internals)
        if lua_pcall(L, 5, 0, 0) != 0 {
            fatalError("moonbase: prelude failed: \(lua.toString(-1) ?? "")")
        }
        lua.setTop(base)
    }

    static let preludeSource = """
    local rt, modules, context, script_dir, actors_dir = ...
    local RAISE, SUSPEND = rt.RAISE, rt.SUSPEND
    local error, select, type, setmetatable = error, select, type, setmetatable

    -- A suspending Swift call returns RAISE, err to make its caller raise err.
    local function resumed(a, ...)
      if a == RAISE then error((...), 0) end
      return a, ...
    end
    local function suspending(f)
      return function(...) return resumed(f(...)) end
    end
    rt.resumed, rt.suspending = resumed, suspending

    -- Fibers.
    local fiber_mt = rt.fiber_metatable
    fiber_mt.__index = { join = suspending(rt.join), detach = rt.detach, interrupt = rt.interrupt }
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

    -- Actors.
    local address_index = { send = suspending(rt.send), monitor = rt.monitor }
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
    """
}
