import FoundationEssentials
import FoundationGaps

/// A small, bounded XML reader for AWS Query API responses.
///
/// Foundation's `XMLParser` lives in FoundationXML, which links libxml2 at run time (one
/// more shared library for the static binary) and expands DTD entities. AWS answers
/// are plain elements and text, so this reader keeps exactly that: element names without
/// their namespace prefix, children in order, and text with the five predefined entities
/// and character references decoded. A DOCTYPE is refused (no entity expansion), and
/// depth and element count are bounded; anything malformed is an error, never a crash.
public enum XMLTree {
    /// One element: its local name, its child elements, and its own text (the text
    /// directly inside it, CDATA included, with surrounding blanks kept).
    public struct Element: Sendable, Equatable {
        public var name: String
        public var children: [Element]
        public var text: String

        public init(name: String, children: [Element] = [], text: String = "") {
            self.name = name
            self.children = children
            self.text = text
        }

        /// The first child called `name`.
        public func child(_ name: String) -> Element? {
            children.first { $0.name == name }
        }

        /// Every child called `name`.
        public func children(_ name: String) -> [Element] {
            children.filter { $0.name == name }
        }

        /// The trimmed text of the descendant along `path`; nil when a step is missing.
        public func value(_ path: String...) -> String? {
            var element = self
            for step in path {
                guard let next = element.child(step) else { return nil }
                element = next
            }
            return element.text.trimmingWhitespaceAndNewlines()
        }

        /// The `item` (EC2) or `member` (CloudWatch) children of the list element `name`;
        /// empty when the list is absent.
        public func list(_ name: String) -> [Element] {
            child(name)?.children.filter { $0.name == "item" || $0.name == "member" } ?? []
        }

        /// The first element called `name` at any depth (this one included), depth first.
        public func first(named name: String) -> Element? {
            if self.name == name { return self }
            for child in children {
                if let found = child.first(named: name) { return found }
            }
            return nil
        }
    }

    /// Why a document could not be read, with the byte offset where reading stopped.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public let offset: Int

        public var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    public struct Limits: Sendable {
        public var depth: Int
        public var elements: Int

        public init(depth: Int = 64, elements: Int = 1_000_000) {
            self.depth = depth
            self.elements = elements
        }
    }

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(Failure) -> Element {
        var reader = Reader(bytes: bytes, limits: limits)
        return try reader.document()
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(Failure) -> Element {
        try parse(Array(text.utf8), limits: limits)
    }
}

private struct Reader {
    let bytes: [UInt8]
    let limits: XMLTree.Limits
    var position = 0
    var elementCount = 0
    /// Open elements, innermost last; each collects its children and text.
    var open: [(element: XMLTree.Element, text: [UInt8])] = []

    init(bytes: [UInt8], limits: XMLTree.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    func failure(_ reason: String) -> XMLTree.Failure {
        XMLTree.Failure(reason: reason, offset: position)
    }

    mutating func document() throws(XMLTree.Failure) -> XMLTree.Element {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        var root: XMLTree.Element?
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<") {
                if let finished = try markup() {
                    guard root == nil else { throw failure("more than one root element") }
                    root = finished
                }
            } else {
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "<") { position += 1 }
                let text = bytes[start..<position]
                if open.isEmpty {
                    guard text.allSatisfy(Self.isBlank) else {
                        position = start
                        throw failure("text outside the root element")
                    }
                } else {
                    open[open.count - 1].text += try Self.decode(text, at: start)
                }
            }
        }
        guard open.isEmpty else { throw failure("<\(open[open.count - 1].element.name)> is not closed") }
        guard let root else { throw failure("no root element") }
        return root
    }

    /// Reads one piece of markup at `<`; returns the root element when it closes.
    mutating func markup() throws(XMLTree.Failure) -> XMLTree.Element? {
        if matches("<?") {
            try skip(past: "?>", what: "processing instruction")
        } else if matches("<!--") {
            try skip(past: "-->", what: "comment")
        } else if matches("<![CDATA[") {
            guard !open.isEmpty else { throw failure("CDATA outside the root element") }
            let start = position + 9
            try skip(past: "]]>", what: "CDATA section")
            open[open.count - 1].text += bytes[start..<(position - 3)]
        } else if matches("<!") {
            throw failure("DOCTYPE and other declarations are not accepted")
        } else if matches("</") {
            return try closingTag()
        } else {
            return try openingTag()
        }
        return nil
    }

    /// Returns the element when it is a self-closing root.
    mutating func openingTag() throws(XMLTree.Failure) -> XMLTree.Element? {
        position += 1
        let name = try self.name()
        while true {
            skipBlanks()
            guard position < bytes.count else { throw failure("<\(name) is not finished") }
            if bytes[position] == UInt8(ascii: ">") {
                position += 1
                break
            }
            if matches("/>") {
                position += 2
                try push(name)
                return try pop(name)
            }
            try skipAttribute()
        }
        try push(name)
        return nil
    }

    mutating func closingTag() throws(XMLTree.Failure) -> XMLTree.Element? {
        position += 2
        let name = try self.name()
        skipBlanks()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else {
            throw failure("</\(name) is not finished")
        }
        position += 1
        return try pop(name)
    }

    mutating func push(_ name: String) throws(XMLTree.Failure) {
        elementCount += 1
        guard elementCount <= limits.elements else { throw failure("more than \(limits.elements) elements") }
        guard open.count < limits.depth else { throw failure("nested deeper than \(limits.depth) elements") }
        open.append((XMLTree.Element(name: name), []))
    }

    /// Closes the innermost element; returns it when it was the root.
    mutating func pop(_ name: String) throws(XMLTree.Failure) -> XMLTree.Element? {
        guard let (element, text) = open.popLast() else { throw failure("</\(name)> closes nothing") }
        guard element.name == name else { throw failure("</\(name)> closes <\(element.name)>") }
        var finished = element
        finished.text = String(decoding: text, as: UTF8.self)
        if open.isEmpty { return finished }
        open[open.count - 1].element.children.append(finished)
        return nil
    }

    /// An element or attribute name, namespace prefix dropped.
    mutating func name() throws(XMLTree.Failure) -> String {
        let start = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        guard position > start, position - start <= 256 else { throw failure("expected a name") }
        let name = bytes[start..<position]
        let local = name.lastIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
        guard !local.isEmpty else { throw failure("expected a name") }
        return String(decoding: local, as: UTF8.self)
    }

    mutating func skipAttribute() throws(XMLTree.Failure) {
        _ = try name()
        skipBlanks()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "=") else {
            throw failure("an attribute without a value")
        }
        position += 1
        skipBlanks()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'")
        else { throw failure("an attribute value without quotes") }
        let quote = bytes[position]
        position += 1
        while position < bytes.count, bytes[position] != quote {
            guard bytes[position] != UInt8(ascii: "<") else { throw failure("< inside an attribute value") }
            position += 1
        }
        guard position < bytes.count else { throw failure("an attribute value is not closed") }
        position += 1
    }

    mutating func skip(past terminator: String, what: String) throws(XMLTree.Failure) {
        let end = Array(terminator.utf8)
        var index = position
        while index + end.count <= bytes.count {
            if bytes[index] == end[0], bytes[index..<(index + end.count)].elementsEqual(end) {
                position = index + end.count
                return
            }
            index += 1
        }
        throw failure("a \(what) is not closed")
    }

    func matches(_ prefix: String) -> Bool {
        bytes[position...].starts(with: prefix.utf8)
    }

    mutating func skipBlanks() {
        while position < bytes.count, Self.isBlank(bytes[position]) { position += 1 }
    }

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: ":"), 0x80...0xFF:
            true
        default: false
        }
    }

    /// Text with `&...;` references replaced.
    static func decode(_ text: ArraySlice<UInt8>, at offset: Int) throws(XMLTree.Failure) -> [UInt8] {
        guard text.contains(UInt8(ascii: "&")) else { return Array(text) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            guard byte == UInt8(ascii: "&") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard let end = text[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw XMLTree.Failure(reason: "an & that starts no reference", offset: offset + index - text.startIndex)
            }
            let reference = String(decoding: text[(index + 1)..<end], as: UTF8.self)
            guard let scalar = Self.entity(reference) else {
                throw XMLTree.Failure(
                    reason: "unknown reference &\(reference);", offset: offset + index - text.startIndex)
            }
            decoded += Array(String(Character(scalar)).utf8)
            index = end + 1
        }
        return decoded
    }

    static func entity(_ reference: String) -> Unicode.Scalar? {
        switch reference {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        let number: UInt32?
        if reference.hasPrefix("#x") || reference.hasPrefix("#X") {
            number = UInt32(reference.dropFirst(2), radix: 16)
        } else if reference.hasPrefix("#") {
            number = UInt32(reference.dropFirst(), radix: 10)
        } else {
            number = nil
        }
        guard let number, number != 0 else { return nil }
        return Unicode.Scalar(number)
    }
}
