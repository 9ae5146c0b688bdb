/// The stream interface a protocol layered on a socket connection (HTTP)
/// reads through: the connection buffers bytes until the parser finds a
/// whole message or rejects the input, then lets the parser push the result.
/// The parser may rewrite the buffered bytes in place.
///
/// The whole stream interface a layered module uses: `SocketModule.connection`
/// (the connection argument), `SocketConnection.read(_:_:parsingWith:)`,
/// `SocketConnection.write(_:_:_:)`, and this protocol.
protocol ConnectionParser: AnyObject {
    /// The most bytes buffered before reading pauses while this parser waits,
    /// given the connection's own ceiling.
    func bufferLimit(ceiling: Int) -> Int
    /// Looks at the buffered bytes. The parser may drop bytes it no longer
    /// needs (framing) by moving the rest down and lowering `count`; it
    /// rejects the input when the buffer is at `bufferLimit` and no message
    /// is complete (no more bytes come before some are consumed).
    func parse(_ bytes: UnsafeMutablePointer<UInt8>, count: inout Int) -> ConnectionParse
    /// Bytes to send the peer at once after an incomplete `parse` (HTTP's
    /// interim `100 Continue`), or nil; each reply is taken once.
    func takeReply() -> StaticString?
    /// Pushes the message `parse` found; returns the values pushed and the
    /// bytes the message used.
    func pushMessage(_ bytes: UnsafeMutablePointer<UInt8>, onto lua: LuaState) -> (values: Int32, consumed: Int)
    /// Pushes why `parse` rejected the input; the connection then drops what
    /// it buffered and stops reading.
    func pushRejection(onto lua: LuaState) -> Int32
    /// How long the connection may wait for more bytes, given what it has
    /// buffered of the next message (phases: idle, head, body, ...).
    func wait(buffered: Int) -> ParserWait
    /// Pushes what the read returns when `wait` timed out.
    func pushTimeout(_ wait: ParserWait, onto lua: LuaState) -> Int32
}

/// A phase of reading a message and its timeout. A new phase restarts the
/// timeout; `restartOnData`: so does every arrival of bytes (a body's
/// "between reads" timeout), else the phase must end within `seconds`.
struct ParserWait {
    var phase: Int
    var seconds: Double
    var restartOnData = false
    static let none = ParserWait(phase: -1, seconds: 0)
}

enum ConnectionParse { case incomplete, message, rejected }
