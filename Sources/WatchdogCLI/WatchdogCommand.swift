import ArgumentParser
import Foundation
import Logging
import Watchdog

@main
struct WatchdogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchdog",
        abstract: "Watches a host and the services next to it; tells people when something is wrong.",
        discussion: "Configured by WATCHDOG_* environment variables; see `watchdog check-config`.",
        subcommands: [Run.self, Once.self, CheckConfig.self, TestNotify.self, Healthcheck.self],
        defaultSubcommand: Run.self)
}

/// Loads the configuration or ends the program with status 2 and the reasons.
func loadConfigurationOrExit() throws -> LoadedConfiguration {
    do {
        return try Configuration.load()
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

/// Prepares the process for a command that ticks: a closed stdout or stderr must not
/// kill the watchdog (SIGPIPE is ignored, writes then fail and are logged), and the log
/// handler is installed once, before the first `Logger` exists. Start-up warnings are
/// reported through it.
func prepareProcess(_ loaded: LoadedConfiguration) -> Logger {
    signal(SIGPIPE, SIG_IGN)
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
