/// `require 'lunet.socket'` and `'lunet.udp'`: Lunet's conventions over `socket`
/// and `udp`: `write`/`close` return nil on success or an error string, `read`
/// returns nil, nil at end of stream, and a host containing '/' is a Unix socket path.
enum LunetSocketModule {
    static let definition = LuaModule(name: "lunet.socket", lua: "lunet_socket")
}
