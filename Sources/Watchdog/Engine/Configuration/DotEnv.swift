/// Parses `.env` files: `KEY=VALUE` lines as Docker Compose writes them.
///
/// Accepted: blank lines, `# comments`, an optional `export `, unquoted values (a ` #`
/// starts a comment), `"double quoted"` values with `\n \" \\` escapes, and
/// `'single quoted'` literal values. Anything else is an error naming the line, never a
/// silently skipped setting.
public enum DotEnv {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let number = offset + 1
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: number, message: "expected KEY=VALUE")
            }
            let key = line[..<equals].trimmingSpaces()
            guard isValidKey(key) else {
                throw ParseError(line: number, message: "invalid variable name")
            }
            let value = try parseValue(line[line.index(after: equals)...], line: number)
            entries.append((key, value))
        }
        return entries
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.first, first == "_" || (first.isASCII && first.isLetter) else {
            return false
        }
        return key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    private static func parseValue(_ raw: Substring, line: Int) throws(ParseError) -> String {
        let text = raw.drop { $0 == " " || $0 == "\t" }
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // Unquoted: a `#` after whitespace starts a comment.
            var value = ""
            var previous: Character = " "
            for character in text {
                if character == "#", previous == " " || previous == "\t" { break }
                value.append(character)
                previous = character
            }
            return value.trimmingSpaces()
        }
        var value = ""
        var escaped = false
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if quote == "\"", escaped {
                switch character {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(character)
                }
                escaped = false
            } else if quote == "\"", character == "\\" {
                escaped = true
            } else if character == quote {
                let rest = text[text.index(after: index)...].trimmingSpaces()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw ParseError(line: line, message: "text after the closing quote")
                }
                return value
            } else {
                value.append(character)
            }
            index = text.index(after: index)
        }
        throw ParseError(line: line, message: "unterminated quoted value")
    }
}
