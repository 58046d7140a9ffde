import FoundationEssentials

/// The pieces of an Internet message (RFC 5322, RFC 2045–2047) the e-mail channel
/// writes: encoded header words, a quoted-printable body, the SMTP dot-stuffing of
/// RFC 5321 §4.5.2. Pure, and ASCII out whatever comes in, so no server needs 8BITMIME
/// or SMTPUTF8 and no outside text can start a header or end the DATA.
public enum MailFormat {
    /// The longest a header or body line gets, CRLF excluded (RFC 5322 §2.1.1 asks for 78).
    static let lineLimit = 76

    /// A header field's value as unstructured text (RFC 2047 §5(1)): left as it is when
    /// it is short printable ASCII; else UTF-8 `=?UTF-8?B?…?=` words, none longer than
    /// 75 characters and never splitting a character, folded onto continuation lines.
    /// Line breaks of outside text become spaces: a header can never be injected.
    public static func headerText(_ text: String, fieldName: String) -> String {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        let plain =
            flat.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
            && !flat.contains("=?") && fieldName.count + 2 + flat.utf8.count <= lineLimit
        if plain { return flat }
        // A word is "=?UTF-8?B?" + base64 + "?=": 12 characters and 4 for every 3 bytes
        // of text (whole characters only). A continuation line holds a space and 75;
        // the first also holds "Subject: ".
        func capacity(_ room: Int) -> Int { max(3, 3 * ((room - 12) / 4)) }
        var limit = capacity(lineLimit - fieldName.count - 2)
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in flat {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > limit, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk = []
                limit = capacity(lineLimit - 1)
            }
            chunk += bytes.prefix(limit)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// A display name and address as a header shows them: `"watchdog" <a@b.example>`,
    /// the name encoded when it is not plain ASCII.
    public static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        let flat = String(name.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        let ascii = flat.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if ascii, !flat.contains("=?") {
            let quoted = flat.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return headerText(flat, fieldName: "From") + " <\(address)>"
    }

    /// UTF-8 text as quoted-printable (RFC 2045 §6.7): lines of at most 76 characters,
    /// `=` soft breaks, `=XX` for every byte that is not printable ASCII and for a space
    /// or tab that ends a line. Lines end in CRLF.
    public static func quotedPrintable(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var length = 0
            for (position, byte) in bytes.enumerated() {
                let last = position == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !last)
                let token = literal ? String(UnicodeScalar(byte)) : hexEscape(byte)
                // Room for the soft break's `=` on this line.
                if length + token.count > lineLimit - 1 {
                    output += "=\r\n"
                    length = 0
                }
                output += token
                length += token.count
            }
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output
    }

    static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// A message as DATA sends it (RFC 5321 §4.5.2): CRLF line ends, a `.` added before
    /// every line that starts with one, and the closing `.` line.
    public static func dataSection(_ message: String) -> String {
        var output = ""
        output.reserveCapacity(message.utf8.count + 8)
        for line in message.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(".") { output += "." }
            output += line
            output += "\r\n"
        }
        return output + ".\r\n"
    }

    /// An RFC 5322 date in UTC: `Sun, 06 Dec 2026 18:00:00 +0000`.
    public static func date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = CivilTime.floorDivide(seconds, 86_400)
        let inDay = seconds - days * 86_400
        let civil = CivilTime.date(fromDays: Int(days))
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][CivilTime.weekday(ofDays: Int(days))]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(Int64(civil.day))) \(months[civil.month - 1]) \(civil.year) "
            + "\(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60)) +0000"
    }

    /// Whether `text` is an address the envelope and headers can carry as it is: a
    /// `local@domain` of printable ASCII without spaces, angle brackets, quotes, commas
    /// or a second `@` (no quoted local parts; no SMTPUTF8).
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.utf8.count <= 254 else { return false }
        let forbidden = Set(" <>()[]\\,;:\"")
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
            && !text.contains(where: { forbidden.contains($0) })
            && parts[1].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
    }
}
