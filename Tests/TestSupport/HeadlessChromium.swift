import Foundation

/// The real browser the status page is read with (Debian's `chromium`, installed by
/// scripts/test.sh): the DOM as it built it from the page, and a screenshot. Its profile,
/// home and scratch files live in a short folder under /tmp made for each run and
/// removed after it.
public struct HeadlessChromium: Sendable {
    public static let binary: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    /// Set by scripts/test.sh: a missing peer is then a failure, never a silent skip.
    public static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    let binary: String

    public init() throws {
        guard let binary = Self.binary else {
            throw ChromiumError(description: "chromium is not installed (scripts/test.sh installs it)")
        }
        self.binary = binary
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
        // Its own short scratch folder, made and removed here: chromium puts its
        // SingletonSocket under TMPDIR, and a Unix socket's path has at most 107 bytes,
        // which the test runner's own TMPDIR (scripts/test.sh's) and a test folder exceed;
        // chromium then aborts.
        var template = Array("/tmp/wdc-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ChromiumError(description: "cannot make a folder for chromium: errno \(errno)")
        }
        let scratch = String(cString: made)
        defer { TemporaryDirectory.remove(scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // Root runs it here: no sandbox. No GPU, no first-run, no crash reporter, no
        // network but the page's own.
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-breakpad",
                "--disable-crash-reporter", "--disable-extensions", "--disable-background-networking",
                "--disable-dev-shm-usage", "--user-data-dir=\(scratch)/profile",
            ] + arguments
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "XDG_CONFIG_HOME": scratch,
            "XDG_CACHE_HOME": scratch,
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch)
        let (status, output) = try await process.runCollectingOutput(
            timeout: 60, mergingErrors: false, errorFile: scratch + "/stderr",
            what: "chromium \(arguments.joined(separator: " "))")
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
            throw ChromiumError(
                description: "chromium exited with \(status): \(errors.suffix(2_000))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
