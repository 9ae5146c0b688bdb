---@meta fs
---@class moonbase.File
local File = {}
---@return string|nil data
---@return string? err
function File:read(n) end
---@return true|nil
---@return string? err
function File:write(data) end
function File:close() end
---@return integer|nil position
---@return string? err
function File:seek(whence, offset) end
---@return integer position
function File:tell() end
function File:fsync() end
---@return table|nil stat
---@return string? err
function File:stat() end

---@class moonbase.fs
local fs = {}
---@param path string
---@param mode? string 'r', 'w', 'a', 'r+', ...
---@return moonbase.File|nil
---@return string? err
function fs.open(path, mode) end
---@return string|nil
---@return string? err
function fs.read(file, n) end
---@return true|nil
---@return string? err
function fs.write(file, data) end
function fs.close(file) end
---@return integer|nil
---@return string? err
function fs.seek(file, whence, offset) end
---@return integer
function fs.tell(file) end
function fs.fsync(file) end
---@return table|nil
---@return string? err
function fs.fstat(file) end
---@return table|nil
---@return string? err
function fs.stat(path) end
---@return table|nil
---@return string? err
function fs.lstat(path) end
---@return {name: string, type: string}[]|nil
---@return string? err
function fs.scandir(path) end
---@return string|nil
---@return string? err
function fs.realpath(path) end
---@param path string
---@param mode? integer|table
---@param opts? table
function fs.mkdir(path, mode, opts) end
function fs.rmdir(path) end
function fs.unlink(path) end
function fs.rename(from, to) end
---@return string|nil
---@return string? err
function fs.readfile(path, opts) end
---@return true|nil
---@return string? err
function fs.writefile(path, data, opts) end
return fs
