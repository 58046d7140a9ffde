extension SignalFamily {
    /// The signals table of docs/signals.md, generated from `allCases` (a test keeps the page
    /// equal to it; `scripts/regenerate-docs.sh` writes it).
    public static func markdownTable() -> String {
        let rows = allCases.map { family in
            "| `\(family.rawValue)` | \(family.entity) | \(family.activeWhen) | \(family.severity) |"
        }
        return (["| family | entity | active when | severity |", "|---|---|---|---|"] + rows)
            .joined(separator: "\n")
    }
}
