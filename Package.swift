// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "watchdog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "watchdog", targets: ["WatchdogCLI"]),
        .executable(name: "watchdog-bench", targets: ["WatchdogBench"]),
        .executable(name: "watchdog-fuzz", targets: ["WatchdogFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        // The HTTP endpoint. Its default traits pull in swift-configuration, which the
        // watchdog does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
    ],
    targets: [
        // What full Foundation gave that FoundationEssentials does not, and that the shipped
        // targets need: JSON of any shape, percent-encoding, trimming, writes to a file
        // descriptor. Full Foundation would link ICU (docs/footprint.md).
        .target(name: "FoundationGaps"),
        // SHA-256 and HMAC-SHA256, for AWS Signature Version 4 and the Ack links: a
        // second BoringSSL (swift-crypto's) would cost 1.5 MB for two functions.
        .target(name: "Digests"),
        // Every outbound HTTP request: the shared clients (no connect retries) and one
        // exchange bounded in time, body included, and in size.
        .target(
            name: "OutboundHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Readings from the world (/proc, statvfs, ...). Knows nothing about alerts.
        .target(
            name: "Collectors",
            dependencies: [
                "Digests", "FoundationGaps", "OutboundHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // Notifications out: the model, renderers, channels. Knows nothing about collectors.
        .target(
            name: "Notify",
            dependencies: [
                "FoundationGaps", "OutboundHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Joins them: configuration, signals, decide(), the tick service.
        .target(
            name: "Watchdog",
            dependencies: [
                "Collectors",
                "Digests",
                "FoundationGaps",
                "Notify",
                "OutboundHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "WatchdogCLI",
            dependencies: [
                "FoundationGaps", "OutboundHTTP", "Watchdog",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Benchmarks of hot paths for scripts/bench.sh; not shipped.
        .executableTarget(
            name: "WatchdogBench",
            dependencies: ["Collectors", "Watchdog", .product(name: "Logging", package: "swift-log")]),
        // Every parser of outside input as a function of bytes: fed by libFuzzer
        // (scripts/fuzz.sh builds watchdog-fuzz with -sanitize=fuzzer) and replayed by
        // the tests on the inputs kept in Tests/WatchdogTests/FuzzInputs. Not shipped.
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Collectors", "Notify", "Watchdog", .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "WatchdogFuzz", dependencies: ["FuzzTargets"]),
        // Test helpers shared by the test targets: a manual clock, concurrency probes,
        // temporary directories, a scriptable local HTTP server.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            // The Telegram conformance table: data both stand-ins are tested against,
            // read from the source tree.
            exclude: ["TelegramConformance"]
        ),
        .testTarget(
            name: "CollectorsTests",
            dependencies: ["Collectors", "Digests", "FoundationGaps", "OutboundHTTP", "TestSupport"],
            // SigV4Suite: the official signing vectors, read by SigV4Tests from the source tree.
            exclude: ["SigV4Suite"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "NotifyTests",
            dependencies: [
                "FoundationGaps", "Notify", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "WatchdogTests",
            // WatchdogCLI is a dependency so that `swift test` builds the binary the
            // process tests run.
            dependencies: [
                "Watchdog", "WatchdogCLI", "TestSupport", "FuzzTargets",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            // Read by FuzzInputTests and scripts/fuzz.sh, and by MaintenanceTests (zoneinfo
            // files), from the source tree; WallShift is the C source of a shim that
            // WallClockProcessTests compiles and preloads.
            exclude: ["FuzzInputs", "WallShift", "ZoneInfo"]
        ),
    ]
)
