-- require 'http.router' (internal, used by http): http.router(), a handler that
-- picks a route by method and path. Routes live in a tree of path segments: a
-- literal segment is tried before a ':param', a ':param' before a '*rest', so
-- '/notes/new' wins over '/notes/:id' whatever the order they were added in.
local type, error, pairs, setmetatable, rawset, getmetatable, tostring =
  type, error, pairs, setmetatable, rawset, getmetatable, tostring
local find, sub, gmatch, format, concat, sort = string.find, string.sub, string.gmatch, string.format, table.concat, table.sort
local router = {}
local Router = {}
Router.__index = Router

local function node() return { lit = {} } end

function router.new() return setmetatable({ _root = node(), _middleware = {} }, Router) end
function router.is(v) return type(v) == 'table' and getmetatable(v) == Router end

-- The segments of a path: one trailing '/' is ignored ('/notes/' is '/notes');
-- '/' has none.
local function segments(path)
  local segs, n = {}, 0
  if #path > 1 and sub(path, -1) == '/' then path = sub(path, 1, -2) end
  if path == '/' then return segs, 0 end
  for s in gmatch(path, '/([^/]*)') do n = n + 1; segs[n] = s end
  return segs, n
end

local function bad(fname, n, name, what)
  error(format("%s: bad argument #%d '%s' (%s)", fname, n, name, what), 4)
end

local function add(self, fname, method, pattern, handler)
  if type(method) ~= 'string' or not find(method, "^[!#$%%&'*+%-.^_`|~%w]+$") then
    bad(fname, 1, 'method', 'a method name expected, got ' .. tostring(method))
  end
  local n0 = fname == 'router:route' and 1 or 0
  if type(pattern) ~= 'string' or sub(pattern, 1, 1) ~= '/' then
    bad(fname, n0 + 1, 'path', "a path starting with '/' expected, got " .. tostring(pattern))
  end
  if type(handler) ~= 'function' then
    bad(fname, n0 + 2, 'handler', 'function expected, got ' .. type(handler))
  end
  local segs, n = segments(pattern)
  local at, names, seen = self._root, {}, {}
  for i = 1, n do
    local s = segs[i]
    local kind, name = sub(s, 1, 1), sub(s, 2)
    if kind == ':' or kind == '*' then
      if not find(name, '^[%a_][%w_]*$') or seen[name] then
        bad(fname, n0 + 1, 'path', format("a parameter needs a new name ([%%a_][%%w_]*), got '%s' in %s", s, pattern))
      end
      if kind == '*' and i ~= n then
        bad(fname, n0 + 1, 'path', format("'%s' must be the last segment of %s", s, pattern))
      end
      seen[name] = true
      names[#names + 1] = name
      local field = kind == ':' and 'param' or 'wild'
      local child = at[field] or node()
      at[field] = child
      at = child
    elseif s == '' then
      bad(fname, n0 + 1, 'path', 'an empty segment in ' .. pattern)
    else
      local child = at.lit[s] or node()
      at.lit[s] = child
      at = child
    end
  end
  local routes = at.routes or {}
  at.routes = routes
  if routes[method] then bad(fname, n0 + 1, 'path', format('%s %s has a handler already', method, pattern)) end
  routes[method] = { handler = handler, names = names }
  return self
end

function Router:route(method, path, handler) return add(self, 'router:route', method, path, handler) end
for _, m in pairs({ 'get', 'post', 'put', 'delete', 'patch' }) do
  local method, fname = m:upper(), 'router:' .. m
  Router[m] = function(self, path, handler) return add(self, fname, method, path, handler) end
end

-- r:use(fn): fn(req, res, next) runs before routing, in the order added; it
-- answers (returns an answer or finishes res) or returns next()'s results.
function Router:use(fn)
  if type(fn) ~= 'function' then
    error("router:use: bad argument #1 'middleware' (function expected, got " .. type(fn) .. ')', 2)
  end
  local m = self._middleware
  m[#m + 1] = fn
  return self
end

-- A HEAD request is answered by the GET route (the server sends no body).
local function entry_for(routes, method)
  local e = routes[method]
  if e == nil and method == 'HEAD' then e = routes.GET end
  return e
end
local function allow(routes, allowed)
  for m in pairs(routes) do allowed[m] = true end
end

-- Depth-first: the first route for the method wins; the methods of the routes
-- that matched the path but not the method are gathered for 405's Allow.
local function search(at, segs, i, n, caps, k, method, allowed)
  if i > n then
    local routes = at.routes
    if routes then
      local e = entry_for(routes, method)
      if e then return e end
      allow(routes, allowed)
    end
    local w = at.wild
    if w and w.routes then
      caps[k + 1] = ''
      local e = entry_for(w.routes, method)
      if e then return e end
      allow(w.routes, allowed)
    end
    return nil
  end
  local s = segs[i]
  local child = at.lit[s]
  if child then
    local e = search(child, segs, i + 1, n, caps, k, method, allowed)
    if e then return e end
  end
  child = at.param
  if child and s ~= '' then
    caps[k + 1] = s
    local e = search(child, segs, i + 1, n, caps, k + 1, method, allowed)
    if e then return e end
  end
  local w = at.wild
  if w and w.routes then
    caps[k + 1] = concat(segs, '/', i, n)
    local e = entry_for(w.routes, method)
    if e then return e end
    allow(w.routes, allowed)
  end
  return nil
end

local function route(self, req, res)
  local path = req.path
  local segs, n = segments(path)
  local caps, allowed = {}, {}
  local e = sub(path, 1, 1) == '/' and search(self._root, segs, 1, n, caps, 0, req.method, allowed)
  if e then
    rawset(req, '_param_names', e.names)
    rawset(req, '_param_values', caps)
    return e.handler(req, res)
  end
  local list = {}
  for m in pairs(allowed) do list[#list + 1] = m end
  if #list == 0 then return 404, 'Not Found' end
  if allowed.GET and not allowed.HEAD then list[#list + 1] = 'HEAD' end
  sort(list)
  return 405, 'Method Not Allowed', { Allow = concat(list, ', ') }
end

function Router:dispatch(req, res)
  local middleware = self._middleware
  if #middleware == 0 then return route(self, req, res) end
  local i = 0
  local function pass()
    i = i + 1
    local m = middleware[i]
    if m then return m(req, res, pass) end
    return route(self, req, res)
  end
  return pass()
end

-- What http.serve runs for a router (routes added later are seen).
function router.handler(r)
  return function(req, res) return r:dispatch(req, res) end
end
return router
