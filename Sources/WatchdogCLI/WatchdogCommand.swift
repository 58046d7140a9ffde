import FoundationEssentials
import FoundationGaps
import Glibc
import Logging
import Notify
import OutboundHTTP
import Watchdog

/// Runs what the command line asks for; a usage error prints the reason and the usage
/// on stderr and ends with status 64, as sysexits' EX_USAGE.
enum WatchdogCommand {
    static func main(_ arguments: [String]) async -> Int32 {
        switch CommandLineRequest.parse(arguments) {
        case .failure(let error):
            try? OutputDescriptor.standardError.writeLine("Error: \(error.message)\nUsage: \(error.usage)")
            try? OutputDescriptor.standardError.writeLine("  See 'watchdog --help' for more information.")
            return 64
        case .success(let request):
            do {
                switch request {
                case .help(let text): print(text)
                case .version: print("watchdog \(WatchdogVersion.current)")
                case .run(let interval): try await Run(harnessTickInterval: interval).run()
                case .once(let dryRun, let json): try await Once(dryRun: dryRun, json: json).run()
                case .checkConfig: try await CheckConfig().run()
                case .testNotify(let channel): try await TestNotify(channel: channel).run()
                case .healthcheck: try await Healthcheck().run()
                }
                return 0
            } catch let status as ExitStatus {
                return status.code
            } catch {
                try? OutputDescriptor.standardError.writeLine("Error: \(error)")
                return 1
            }
        }
    }
}

/// Loads the configuration or ends the program with status 2 and the reasons.
func loadConfigurationOrExit() throws -> LoadedConfiguration {
    do {
        let loaded = try Configuration.load()
        if let authorities = loaded.configuration.certificateAuthorities { OutboundHTTP.trust(authorities) }
        return loaded
    } catch {
        try? OutputDescriptor.standardError.writeLine(error.description)
        throw ExitStatus(2)
    }
}

/// Loads the configuration and, in a container, replaces a default instance label with
/// the compose project and service or the Docker host's name (`InstanceLabel`).
func loadResolvedConfigurationOrExit() async throws -> LoadedConfiguration {
    var loaded = try loadConfigurationOrExit()
    loaded.configuration = await InstanceLabel.resolve(loaded.configuration)
    return loaded
}

/// Prepares the process for a command that ticks: a closed stdout or stderr must not
/// kill the watchdog (SIGPIPE is ignored, writes then fail and are logged), and the log
/// handler is installed once, before the first `Logger` exists. Start-up warnings are
/// reported through it.
func prepareProcess(_ loaded: LoadedConfiguration) -> Logger {
    signal(SIGPIPE, SIG_IGN)
    // A fixed threshold: large buffers (a 4 MiB body, a state file) are mapped and given
    // back to the system when freed. glibc's default raises the threshold to the largest
    // block freed so far, after which such buffers stay resident for the process's life.
    _ = glibcMallopt(glibcMmapThreshold, 128 * 1024)
    let configuration = loaded.configuration
    LoggingSystem.bootstrap { label in
        WatchdogLogHandler(label: label, level: configuration.logLevel, format: configuration.logFormat)
    }
    let logger = Logger(label: "watchdog")
    for warning in loaded.warnings {
        logger.warning("configuration warning", metadata: ["warning": "\(warning)"])
    }
    return logger
}

/// glibc's `mallopt(3)`; `<malloc.h>` is not part of Swift's Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
/// `M_MMAP_THRESHOLD` in `<malloc.h>`.
private let glibcMmapThreshold: Int32 = -3
