import Foundation

/// The root of the package (this file is Tests/MoonbaseTests/RunMoonbase.swift).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The `moonbase` under test: `MOONBASE_BINARY` when set (so the release build
/// users run is tested by the same cases), else the one built beside this bundle.
let moonbaseBinary: String = {
    if let named = ProcessInfo.processInfo.environment["MOONBASE_BINARY"], !named.isEmpty {
        return named.hasPrefix("/") ? named : "\(packageRoot)/\(named)"
    }
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // Inside an .xctest bundle directory the binary sits one level deeper.
    if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
    return dir.appendingPathComponent("moonbase").path
}()

/// The environment every script sees: only PATH, HOME and MOONBASE_* (the
/// throwaway MySQL server's settings among them), so a developer's
/// UV_THREADPOOL_SIZE, locale or MYSQL_* cannot change a result.
func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let inherited = ProcessInfo.processInfo.environment
    var env: [String: String] = [:]
    for (key, value) in inherited where key == "PATH" || key == "HOME" || key.hasPrefix("MOONBASE_") {
        env[key] = value
    }
    env["MOONBASE_BINARY"] = nil
    env["MOONBASE_ACTORS"] = "\(packageRoot)/actors"
    for (key, value) in extra { env[key] = value }
    return env
}

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Killed after its time limit: `status` is then the signal's, not the script's.
    let timedOut: Bool
}

/// Runs `moonbase` with `arguments`, killing it after `timeout` seconds.
/// stdout is line-buffered (stdbuf) so a killed script still shows what it printed.
/// `stdin`: text the process reads on its standard input (default: none).
func runMoonbase(_ arguments: [String], timeout: Double, environment: [String: String] = [:],
                 stdin: String? = nil) throws -> RunResult {
    let process = Process()
    let stdbuf = "/usr/bin/stdbuf"
    if FileManager.default.isExecutableFile(atPath: stdbuf) {
        process.executableURL = URL(fileURLWithPath: stdbuf)
        process.arguments = ["-oL", moonbaseBinary] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: moonbaseBinary)
        process.arguments = arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
    process.environment = cleanEnvironment(environment)
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    let inPipe = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let stdin {
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    // Read both pipes while the process runs so a full pipe cannot block it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    nonisolated(unsafe) var killed = false
    DispatchQueue.global().async(group: group) { outData = outPipe.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
    let killer = DispatchWorkItem {
        if process.isRunning { killed = true; process.terminate() }
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    process.waitUntilExit()
    killer.cancel()
    group.wait()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self),
                     timedOut: killed && process.terminationReason == .uncaughtSignal)
}

/// Waits up to 10 s for a server to write its port to `path`; "" if it never did.
func waitForPort(file path: String) -> String {
    var port = ""
    for _ in 0..<100 where port.isEmpty {
        Thread.sleep(forTimeInterval: 0.1)
        port = (try? String(contentsOfFile: path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
    return port
}

/// Runs a python3 client script from the package root under `timeout`
/// seconds; returns its status and its stdout+stderr.
func runPythonClient(_ script: String, _ arguments: [String], timeout: Int) throws -> (status: Int32, output: String) {
    let client = Process()
    client.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    client.arguments = ["\(timeout)", "python3", script] + arguments
    client.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
    let pipe = Pipe()
    client.standardOutput = pipe
    client.standardError = pipe
    try client.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    client.waitUntilExit()
    return (client.terminationStatus, out)
}
