/// `require 'lunet.mysql'`: Lunet's names and conventions over `mysql`.
enum LunetMySQLModule {
    static let definition = LuaModule(name: "lunet.mysql", lua: "lunet_mysql")
}
