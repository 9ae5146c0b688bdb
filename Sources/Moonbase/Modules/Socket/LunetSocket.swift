/// `require 'lunet.socket'`: Lunet's conventions over `socket` (Lua only, in
/// `lua/lunet_socket.lua`): `write`/`close` return nil on success or an error
/// string, `read` returns nil, nil at end of stream, and a host containing '/'
/// is a Unix socket path. (`lunet.udp` is the `udp` module itself.)
enum LunetSocketModule {
    static let definition = LuaModule(name: "lunet.socket", lua: "lunet_socket")
}
