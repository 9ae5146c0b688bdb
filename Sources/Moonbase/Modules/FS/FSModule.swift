/// `require 'fs'`: files and folders through `uv_fs_*` requests, so only the
/// calling fiber waits. Policy (modes, readfile, writefile, recursive mkdir)
/// lives in the Lua source; Swift starts requests and pushes their results.
/// Beside this file: the functions (FSFileFunctions, FSPathFunctions), the file
/// handle (FSFile), the request (FSRequest) and what each kind pushes when it
/// succeeds (FSCompletion), cached reads (PageCacheRead), results
/// pushed to Lua (FSResults) and `lunet.fs` (LunetFS); the Lua half is lua/fs.lua.
enum FSModule {
    static let fileMetatable = MetatableName("moonbase.fs.file")
    /// Largest single `read` (bytes); a bigger request returns at most this much.
    static let maxRead = 64 << 20

    static let definition = LuaModule(name: "fs", functions: [
        ("open", open), ("read", read), ("write", write), ("close", close),
        ("fsync", fsync), ("fstat", fstat), ("seek", seek), ("tell", tell),
        ("stat", stat), ("lstat", lstat), ("scandir", scandir), ("realpath", realpath),
        ("mkdir", mkdir), ("rmdir", rmdir), ("unlink", unlink), ("rename", rename),
        ("set_file_metatable", setFileMetatable), ("gc", collect), ("tostring", describe),
    ], lua: "fs")
}
