---@meta http
---@class moonbase.Request
---@field method string
---@field path string
---@field query string?
---@field target string
---@field headers table<string, string> names lowercased
---@field body string

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

---@class moonbase.HTTPOptions: moonbase.ListenOptions
---@field max_header_size? integer default 8192
---@field max_body_size? integer default 1 MiB

---@class moonbase.http
local http = {}
---@param host string
---@param port integer|string
---@param handler fun(req: moonbase.Request, res: moonbase.Response): (integer?, string?, table<string,string>?)
---@param opts? moonbase.HTTPOptions
---@return moonbase.Listener|nil
---@return string? err
function http.serve(host, port, handler, opts) end
return http
