---@meta http
---@class moonbase.Request
---@field method string
---@field path string
---@field query string?
---@field target string
---@field headers table<string, string> names lowercased
---@field body string
---@field args table<string, string|string[]> the query string decoded (repeated keys: lists)
---@field form table<string, string|string[]>? a form-urlencoded body decoded, else nil
---@field cookies table<string, string>
---@field params table<string, string> the router's path parameters
---@field remote_addr string?
---@field remote_port integer?
local Request = {}
---The body as JSON: value, or nil and an error for a malformed body.
---@return any
---@return string? err
function Request:json() end

---@class moonbase.Response
local Response = {}
---@param code integer
---@return moonbase.Response
function Response:status(code) end
---@param name string
---@param value string
---@return moonbase.Response
function Response:header(name, value) end
---Streams `data` (chunked transfer encoding).
---@param data string
function Response:write(data) end
---@param data? string
function Response:finish(data) end
---The whole answer as application/json.
---@param value any
---@param status? integer
function Response:json(value, status) end
---@class moonbase.CookieOptions
---@field path? string
---@field domain? string
---@field max_age? integer
---@field http_only? boolean
---@field secure? boolean
---@field same_site? "Strict"|"Lax"|"None"
---Adds a Set-Cookie header (one line per cookie).
---@param name string
---@param value string
---@param opts? moonbase.CookieOptions
---@return moonbase.Response
function Response:cookie(name, value, opts) end

---@alias moonbase.Handler fun(req: moonbase.Request, res: moonbase.Response): (integer?, string?, table<string,string|string[]>?)

---@class moonbase.Router
local Router = {}
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:get(path, handler) end
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:post(path, handler) end
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:put(path, handler) end
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:delete(path, handler) end
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:patch(path, handler) end
---@param method string
---@param path string
---@param handler moonbase.Handler
---@return moonbase.Router
function Router:route(method, path, handler) end
---Middleware: answers, or returns pass().
---@param fn fun(req: moonbase.Request, res: moonbase.Response, pass: fun(): (integer?, string?, table?)): (integer?, string?, table?)
---@return moonbase.Router
function Router:use(fn) end
---@param req moonbase.Request
---@param res moonbase.Response
function Router:dispatch(req, res) end

---@class moonbase.HTTPOptions: moonbase.ListenOptions
---@field max_header_size? integer default 8192
---@field max_body_size? integer default 1 MiB
---@field header_timeout? number seconds, default 30 (0: none)
---@field body_timeout? number seconds, default 30
---@field idle_timeout? number seconds, default 60
---@field send_timeout? number seconds, default 60
---@field access_log? boolean one log.access line per answered request

---@class moonbase.http
local http = {}
---@param host string
---@param port integer|string
---@param handler moonbase.Handler|moonbase.Router
---@param opts? moonbase.HTTPOptions
---@return moonbase.Listener|nil
---@return string? err
function http.serve(host, port, handler, opts) end
---@return moonbase.Router
function http.router() end
---A string escaped as %XX (but A-Z a-z 0-9 - . _ ~), or a table as a query string.
---@param value string|number|table
---@return string
function http.urlencode(value) end
---'+' as space, %XX decoded (malformed escapes kept).
---@param text string
---@return string
function http.urldecode(text) end
return http
