/// `require 'http'`: an HTTP/1.1 server on top of `socket`. Requests are read
/// through the connection's stream interface (`HTTPRequestReader`, a
/// `ConnectionParser`), responses framed in Swift (`respond`); policy (the
/// serve loop, the response object) is in Lua.
enum HTTPModule {
    static let definition = LuaModule(name: "http", functions: [
        ("read", read),
        ("respond", respond),
    ], lua: "http")

    // read(conn, max_header, max_body, idle_timeout, header_timeout, body_timeout)
    //   -> method, target, headers, body, keepalive, http10
    //   | nil, status (400/408/413/431) | nil, err ("timeout" between requests)
    static let read: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try SocketModule.connection(lua, vm, 1, "http.read")
            let maxHeader = try lua.checkInteger(2, "http.read", "max_header")
            let maxBody = try lua.checkInteger(3, "http.read", "max_body")
            let reader = HTTPRequestReader.of(c, maxHeader: maxHeader, maxBody: maxBody)
            reader.idleTimeout = try SocketTimeout.optional(lua, 4, "http.read", "idle_timeout") ?? 0
            reader.headerTimeout = try SocketTimeout.optional(lua, 5, "http.read", "header_timeout") ?? 0
            reader.bodyTimeout = try SocketTimeout.optional(lua, 6, "http.read", "body_timeout") ?? 0
            return try c.read(lua, "http.read", parsingWith: reader)
        }
    }
}
