/// `require 'channel'`: Go-style channels between fibers of one VM.
/// `new(capacity)` (0, the default, is a rendezvous), `send(v) -> true | nil,
/// "closed"`, `receive() -> v | nil, "closed"` (after close, once drained),
/// `close()`. Waiters are served in FIFO order.
enum ChannelModule {
    static let definition = LuaModule(name: "channel", lua: "channel")
}
