import ArgumentParser
import FoundationEssentials
import FoundationGaps
import Glibc
import Logging
import Notify
import OutboundHTTP
import Watchdog

struct WatchdogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchdog",
        abstract: "Watches a host and the services next to it; tells people when something is wrong.",
        discussion: "Configured by WATCHDOG_* environment variables; see `watchdog check-config`.",
        version: "watchdog \(WatchdogVersion.current)",
        subcommands: [Run.self, Once.self, CheckConfig.self, TestNotify.self, Healthcheck.self],
        defaultSubcommand: Run.self)
}

/// Loads the configuration or ends the program with status 2 and the reasons.
func loadConfigurationOrExit() throws -> LoadedConfiguration {
    do {
        let loaded = try Configuration.load()
        if let authorities = loaded.configuration.certificateAuthorities { OutboundHTTP.trust(authorities) }
        return loaded
    } catch {
        try? OutputDescriptor.standardError.writeLine(error.description)
        throw ExitCode(2)
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
