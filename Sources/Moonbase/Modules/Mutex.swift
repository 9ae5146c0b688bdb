/// `require 'mutex'`: a fiber mutex (not recursive). `lock` suspends the fiber
/// while another fiber holds it; `unlock` hands it to the first waiter (FIFO).
enum MutexModule {
    static let definition = LuaModule(name: "mutex", lua: "mutex")
}
