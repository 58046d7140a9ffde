extension ConfigVariable {
    /// The README's configuration table, generated from `all` (a test keeps the README
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
            let secret = variable.isSecret ? " Secret: may be given as `\(variable.name)_FILE`." : ""
            lines.append("| `\(variable.name)` | \(shownDefault) | \(variable.summary).\(secret) |")
        }
        return lines.joined(separator: "\n")
    }
}
