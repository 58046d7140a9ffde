/// Telegram's message length rules: at most 4096 characters *after* entity parsing,
/// counted in UTF-16 code units (SPEC §5).
public enum TelegramText {
    public static let limit = 4096

    /// The length Telegram counts for an HTML message: tags are not counted, an entity
    /// such as `&amp;` counts as the one character it stands for.
    public static func visibleLength(_ html: String) -> Int {
        var length = 0
        var inTag = false
        var inEntity = false
        for unit in html.unicodeScalars {
            if inTag {
                if unit == ">" { inTag = false }
            } else if inEntity {
                if unit == ";" {
                    inEntity = false
                    length += 1
                }
            } else if unit == "<" {
                inTag = true
            } else if unit == "&" {
                inEntity = true
            } else {
                length += unit.utf16.count
            }
        }
        return length
    }

    /// Joins self-contained HTML lines (every tag opened on a line is closed on it) into
    /// messages of at most `limit` visible characters, splitting only between lines, so
    /// no tag or entity is ever cut. A single line over the limit is reduced to its text
    /// and cut safely.
    public static func split(lines: [String], limit: Int = TelegramText.limit) -> [String] {
        var messages: [String] = []
        var current: [String] = []
        var currentLength = 0
        for rawLine in lines {
            let line = visibleLength(rawLine) > limit ? plainCut(rawLine, to: limit) : rawLine
            let length = visibleLength(line)
            let added = current.isEmpty ? length : length + 1
            if currentLength + added > limit, !current.isEmpty {
                messages.append(current.joined(separator: "\n"))
                current = []
                currentLength = 0
            }
            currentLength += current.isEmpty ? length : length + 1
            current.append(line)
        }
        if !current.isEmpty { messages.append(current.joined(separator: "\n")) }
        return messages
    }

    /// Drops the tags of `html` and cuts its text to `limit` visible characters without
    /// splitting an entity or a surrogate pair.
    static func plainCut(_ html: String, to limit: Int) -> String {
        var result = ""
        var length = 0
        var inTag = false
        var entity: String?
        for scalar in html.unicodeScalars {
            if inTag {
                if scalar == ">" { inTag = false }
                continue
            }
            if var pending = entity {
                pending.unicodeScalars.append(scalar)
                if scalar == ";" {
                    guard length + 2 <= limit else { break }
                    result += pending
                    length += 1
                    entity = nil
                } else {
                    entity = pending
                }
                continue
            }
            if scalar == "<" {
                inTag = true
            } else if scalar == "&" {
                entity = "&"
            } else {
                guard length + scalar.utf16.count + 1 <= limit else { break }
                result.unicodeScalars.append(scalar)
                length += scalar.utf16.count
            }
        }
        return result + "…"
    }
}
