/// One thing wrong with the environment, always naming the variable.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    /// The standard "bad value" issue: the value is shown unless the variable is secret.
    static func invalid(_ variable: ConfigVariable, value: String) -> ConfigIssue {
        let shown = variable.isSecret ? "(secret value hidden)" : "\"\(value.prefix(200))\""
        return ConfigIssue(
            variable: variable.name, message: "invalid value \(shown): expected \(variable.expected)")
    }

    public var description: String { "\(variable): \(message)" }
}

/// Why the configuration cannot be used. The program prints it and exits with status 2.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String {
        let header = issues.count == 1 ? "configuration error:" : "\(issues.count) configuration errors:"
        return ([header] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
