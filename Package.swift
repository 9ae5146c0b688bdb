// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Moonbase",
    products: [
        .executable(name: "moonbase", targets: ["moonbase"]),
        .library(name: "Moonbase", targets: ["Moonbase"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CLuaJIT", pkgConfig: "luajit", providers: [.apt(["libluajit-5.1-dev"])]),
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        // Lua macros and the error-raising trampoline: the only C in the runtime.
        .target(name: "CMoonbaseShim", dependencies: ["CLuaJIT"]),
        // Build tool: the Lua half of the runtime (Sources/Moonbase/lua/*.lua)
        // is embedded into the binary at build time.
        .executableTarget(name: "EmbedLuaTool"),
        .plugin(name: "EmbedLua", capability: .buildTool(), dependencies: ["EmbedLuaTool"]),
        .target(
            name: "Moonbase",
            dependencies: [
                "CLuaJIT", "CLibUV", "CMariaDB", "CMoonbaseShim",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            // Dynamic exclusivity checks cost 5-18% of message sends and fiber
            // spawns (profiles in Benchmarks/results/profiles/); debug builds,
            // which run the tests, keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))],
            plugins: ["EmbedLua"]
        ),
        .executableTarget(
            name: "moonbase",
            dependencies: ["Moonbase", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "MoonbaseTests", dependencies: ["Moonbase", "moonbase", "CMoonbaseShim", "CLuaJIT"]),
        // Unit tests of the pure Swift parts (parser, codec, mailbox, json), no process spawned.
        .testTarget(name: "MoonbaseUnitTests", dependencies: ["Moonbase", "CMoonbaseShim", "CLuaJIT"]),
    ]
)
