import Foundation

/// The real browser the status page is read with (Debian's `chromium`, installed by
/// scripts/test.sh): the DOM as it built it from the page, and a screenshot. Its profile,
/// home and scratch files live in a folder of the test's, removed with it.
public struct HeadlessChromium: Sendable {
    public static let binary: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    /// Set by scripts/test.sh: a missing peer is then a failure, never a silent skip.
    public static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    let binary: String
    let directory: TemporaryDirectory

    public init(directory: TemporaryDirectory) throws {
        guard let binary = Self.binary else {
            throw ChromiumError(description: "chromium is not installed (scripts/test.sh installs it)")
        }
        self.binary = binary
        self.directory = directory
    }

    public struct ChromiumError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The page's DOM after load, serialized by the browser.
    public func dom(_ url: String, width: Int = 412, height: Int = 900) async throws -> String {
        try await run(["--dump-dom", "--window-size=\(width),\(height)", url])
    }

    /// A PNG of the page at `width`×`height` CSS pixels, written to `path`.
    public func screenshot(_ url: String, to path: String, width: Int, height: Int) async throws {
        _ = try await run(["--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw ChromiumError(description: "chromium wrote no screenshot to \(path)")
        }
    }

    private func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // Root runs it here: no sandbox. No GPU, no first-run, no crash reporter, no
        // network but the page's own.
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-breakpad",
                "--disable-crash-reporter", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=\(directory.path)/chromium-profile",
            ] + arguments
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory.path, "TMPDIR": directory.path,
            "XDG_CONFIG_HOME": directory.path,
            "XDG_CACHE_HOME": directory.path,
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let (status, output) = try await process.runCollectingOutput(
            timeout: 60, mergingErrors: false, what: "chromium \(arguments.joined(separator: " "))")
        guard status == 0 else { throw ChromiumError(description: "chromium exited with \(status)") }
        return String(decoding: output, as: UTF8.self)
    }
}
