extension SignalFamily {
    /// The README's signals table, generated from `allCases` (a test keeps the README
    /// equal to it; `scripts/regenerate-docs.sh` writes it).
    public static func markdownTable() -> String {
        let rows = allCases.map { family in
            "| `\(family.rawValue)` | \(family.entity) | \(family.activeWhen) | \(family.severity) |"
        }
        return (["| family | entity | active when | severity |", "|---|---|---|---|"] + rows)
            .joined(separator: "\n")
    }
}
