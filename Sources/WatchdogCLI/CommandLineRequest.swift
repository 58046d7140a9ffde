/// What the command line asks for, parsed by a pure function.
///
/// Why not swift-argument-parser: five subcommands and four options cost its 0.7 MB of
/// the shipped binary and 0.43 MB resident in every idle watchdog (its code runs at
/// start, and its pages stay mapped; `docs/footprint.md`). The help and errors keep its
/// shape: `watchdog help`, `--help` and `-h` anywhere, `--version`, `--name value` and
/// `--name=value`, exit status 64 for a usage error.
enum CommandLineRequest: Equatable {
    case run(harnessTickInterval: String?)
    case once(dryRun: Bool, json: Bool)
    case checkConfig
    case testNotify(channel: String?)
    case healthcheck
    /// Help text for stdout, exit 0.
    case help(String)
    case version

    /// A usage error: the message (and the usage) go to stderr, exit status 64.
    struct UsageError: Error, Equatable {
        let message: String
        let usage: String
    }

    /// One subcommand as help shows it.
    struct Subcommand {
        let name: String
        let abstract: String
        let discussion: String?
        /// Options it takes: flags (`takesValue` false) and options with a value.
        let options: [(name: String, valueName: String?, help: String)]
    }

    static let abstract = "Watches a host and the services next to it; tells people when something is wrong."
    static let discussion = "Configured by WATCHDOG_* environment variables; see `watchdog check-config`."

    static let subcommands: [Subcommand] = [
        Subcommand(
            name: "run", abstract: "Run the watchdog service (the default command).", discussion: nil, options: []),
        Subcommand(
            name: "once", abstract: "Run one tick and print readings, signals and decisions.", discussion: nil,
            options: [
                ("dry-run", nil, "Send nothing and write no state."),
                ("json", nil, "Print one JSON document (format in docs/commands.md)."),
            ]),
        Subcommand(
            name: "check-config", abstract: "Validate the configuration and print it with secrets redacted.",
            discussion: """
                Reads the environment and the .env file of the working directory (or \
                WATCHDOG_ENV_FILE) and says which file it read. Exit status: 0 valid, 1 valid \
                with warnings (an unknown WATCHDOG_* variable, usually a typo), 2 invalid.
                """,
            options: []),
        Subcommand(
            name: "test-notify",
            abstract: "Send a test message through each configured channel and report what each API answered.",
            discussion: nil,
            options: [
                (
                    "channel", "channel",
                    "Only this channel: telegram, slack, webhook, alertmanager, console, or the name of a WATCHDOG_NOTIFY_<NAME> channel."
                )
            ]),
        Subcommand(
            name: "healthcheck", abstract: "Exit 0 when the running watchdog's /healthz answers 200, 1 otherwise.",
            discussion: nil, options: []),
    ]

    /// `arguments` without the program's name.
    static func parse(_ arguments: [String]) -> Result<CommandLineRequest, UsageError> {
        var rest = arguments[...]
        // Options before any subcommand: the program's own.
        if let first = rest.first, first.hasPrefix("-") {
            if first == "--version" && rest.count == 1 { return .success(.version) }
            if first == "--help" || first == "-h" { return .success(.help(help(for: nil))) }
        }
        var name = "run"
        if let first = rest.first, !first.hasPrefix("-") {
            if first == "help" {
                let topic = rest.dropFirst().first
                guard let topic else { return .success(.help(help(for: nil))) }
                guard let command = subcommands.first(where: { $0.name == topic }) else {
                    return .failure(UsageError(message: "unknown subcommand '\(topic)'", usage: usage(for: nil)))
                }
                return .success(.help(help(for: command)))
            }
            guard subcommands.contains(where: { $0.name == first }) else {
                return .failure(UsageError(message: "unknown subcommand '\(first)'", usage: usage(for: nil)))
            }
            name = first
            rest = rest.dropFirst()
        }
        let command = subcommands.first { $0.name == name }!
        var flags: Set<String> = []
        var values: [String: String] = [:]
        var hiddenInterval: String?
        while let argument = rest.popFirst() {
            if argument == "--help" || argument == "-h" { return .success(.help(help(for: command))) }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                return .failure(UsageError(message: "unexpected argument '\(argument)'", usage: usage(for: command)))
            }
            let body = argument.dropFirst(2)
            let optionName = String(body.prefix { $0 != "=" })
            let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            // For test harnesses only (scripts/soak.sh): on `run`, and never in the help.
            if name == "run" && optionName == "harness-tick-interval" {
                guard let value = inlineValue ?? rest.popFirst() else {
                    return .failure(
                        UsageError(
                            message: "missing value for '--\(optionName) <interval>'", usage: usage(for: command)))
                }
                hiddenInterval = value
                continue
            }
            guard let option = command.options.first(where: { $0.name == optionName }) else {
                return .failure(UsageError(message: "unknown option '--\(optionName)'", usage: usage(for: command)))
            }
            if let valueName = option.valueName {
                guard let value = inlineValue ?? rest.popFirst() else {
                    return .failure(
                        UsageError(
                            message: "missing value for '--\(optionName) <\(valueName)>'", usage: usage(for: command)))
                }
                values[optionName] = value
            } else {
                guard inlineValue == nil else {
                    return .failure(
                        UsageError(message: "'--\(optionName)' takes no value", usage: usage(for: command)))
                }
                flags.insert(optionName)
            }
        }
        switch name {
        case "once": return .success(.once(dryRun: flags.contains("dry-run"), json: flags.contains("json")))
        case "check-config": return .success(.checkConfig)
        case "test-notify": return .success(.testNotify(channel: values["channel"]))
        case "healthcheck": return .success(.healthcheck)
        default: return .success(.run(harnessTickInterval: hiddenInterval))
        }
    }

    static func usage(for command: Subcommand?) -> String {
        guard let command else { return "watchdog <subcommand>" }
        let options = command.options.map { option in
            "[--\(option.name)\(option.valueName.map { " <\($0)>" } ?? "")]"
        }
        return (["watchdog", command.name] + options).joined(separator: " ")
    }

    static func help(for command: Subcommand?) -> String {
        var lines: [String] = []
        func row(_ left: String, _ right: String) {
            let padded =
                left.count < 24
                ? left + String(repeating: " ", count: 24 - left.count)
                : left + "\n"
                    + String(
                        repeating: " ", count: 26)
            lines.append("  " + padded + right)
        }
        if let command {
            lines.append("OVERVIEW: \(command.abstract)")
            if let discussion = command.discussion { lines += ["", discussion] }
            lines += ["", "USAGE: \(usage(for: command))", "", "OPTIONS:"]
            for option in command.options {
                row("--\(option.name)\(option.valueName.map { " <\($0)>" } ?? "")", option.help)
            }
            row("-h, --help", "Show help information.")
        } else {
            lines += ["OVERVIEW: \(abstract)", "", discussion, "", "USAGE: \(usage(for: nil))", "", "OPTIONS:"]
            row("--version", "Show the version.")
            row("-h, --help", "Show help information.")
            lines += ["", "SUBCOMMANDS:"]
            for command in subcommands {
                row(command.name + (command.name == "run" ? " (default)" : ""), command.abstract)
            }
            lines += ["", "  See 'watchdog help <subcommand>' for detailed help."]
        }
        return lines.joined(separator: "\n")
    }
}

/// Ends the program with this status (the command has said why).
struct ExitStatus: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
