extension ConfigVariable {
    /// The configuration table of docs/configuration.md, generated from `all` (a test keeps the page
    /// equal to it).
    public static func markdownTable() -> String {
        var lines = [
            "| variable | default | meaning |",
            "|---|---|---|",
        ]
        for variable in all {
            let shownDefault =
                variable.documentedDefault.isEmpty
                ? "empty"
                // A computed default ("host name") is prose, not a value to type.
                : variable.documentedDefault == variable.defaultValue
                    ? "`\(variable.documentedDefault)`" : variable.documentedDefault
            let container = variable.containerValue.map { " (image and compose: `\($0)`)" } ?? ""
            let secret = variable.isSecret ? " Secret: may be given as `\(variable.name)_FILE`." : ""
            lines.append("| `\(variable.name)` | \(shownDefault)\(container) | \(variable.summary).\(secret) |")
        }
        return lines.joined(separator: "\n")
    }
}

extension ConfigVariable {
    /// The watchdog's part of `.env.example`, generated from `all` (a test keeps the file
    /// equal to it): per variable its summary, then `# NAME=default`, commented out so
    /// that an untouched copy changes nothing.
    public static func envExampleBlock() -> String {
        all.map { variable in
            var comment = "# \(variable.summary)."
            if variable.defaultValue == nil { comment += " Default: \(variable.documentedDefault)." }
            if variable.isSecret { comment += " Secret: or \(variable.name)_FILE=/run/secrets/..." }
            if let container = variable.containerValue {
                // This file is compose's: show what compose uses, and what a host run does.
                comment += " Compose and the image use the value below; run on a host: \(variable.defaultValue ?? "")."
                return comment + "\n# \(variable.name)=\(container)"
            }
            return comment + "\n# \(variable.name)=\(variable.defaultValue ?? "")"
        }.joined(separator: "\n")
    }
}
