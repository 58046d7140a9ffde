/// Foundation's `trimmingCharacters(in: .whitespaces)` and `(in: .whitespacesAndNewlines)`,
/// which FoundationEssentials does not have: the same sets (Unicode space separators and
/// tab; those and the line separators), on whole characters.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (a line break stays).
    public func trimmingWhitespace() -> String {
        trimming { $0.isInlineSpace }
    }

    /// Without leading and trailing spaces, tabs and line breaks.
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { $0.isWhitespace }
    }

    func trimming(_ isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(self[first...last])
    }
}

extension Character {
    /// A space or a tab, not a line break: Foundation's `CharacterSet.whitespaces`.
    var isInlineSpace: Bool {
        isWhitespace && !isNewline
    }
}
