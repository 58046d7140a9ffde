import Glibc

/// Splits a JSON array into its elements as its bytes arrive, so a list of any length
/// is read holding one element at a time (SPEC §12: scale is not failure).
///
/// Bytes inside strings, most of a list, are skipped over with `memchr`, so the cost
/// per byte stays small even in a debug build.
///
/// It checks only the array's own structure (brackets, commas, strings and their
/// escapes, nesting); each element's bytes are handed on whole for a real parser to
/// read. An element longer than `maximumElementBytes` is skipped, not held, and handed
/// on as nil: one huge entry costs that entry, not the list.
public struct JSONArrayReader: Sendable {
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public let maximumElementBytes: Int
    /// Nesting deeper than this inside one element is malformed (JSON parsers refuse
    /// far less; the count itself must stay bounded).
    static let maximumDepth = 512

    private enum Position: Sendable {
        /// Before the opening `[`.
        case start
        /// After `[` or a `,`: an element (or, right after `[`, the `]`) comes next.
        case beforeElement(first: Bool)
        /// Inside an element.
        case element
        /// After an element: a `,` or the `]`.
        case afterElement
        /// After the closing `]`: only white space may follow.
        case end
    }

    private var position = Position.start
    private var pending: [UInt8] = []
    private var pendingBytes = 0
    private var tooLarge = false
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Elements handed on so far (skipped ones included).
    public private(set) var elements = 0

    public init(maximumElementBytes: Int) {
        self.maximumElementBytes = max(1, maximumElementBytes)
    }

    /// Whether the closing `]` has been read.
    public var isComplete: Bool {
        if case .end = position { return true }
        return false
    }

    /// Reads `chunk`, calling `element` with each element completed in it (nil for one
    /// over the bound). Throws at the first byte that cannot belong to a JSON array, or
    /// what `element` throws.
    public mutating func feed<E: Error>(
        _ chunk: some Sequence<UInt8>, element: ([UInt8]?) throws(E) -> Void
    ) throws(FeedError<E>) {
        var failure: FeedError<E>?
        let contiguous: Void? = chunk.withContiguousStorageIfAvailable { buffer in
            do throws(FeedError<E>) {
                try feed(bytes: UnsafeRawBufferPointer(buffer), element: element)
            } catch {
                failure = error
            }
        }
        if contiguous == nil {
            Array(chunk).withUnsafeBytes { bytes in
                do throws(FeedError<E>) {
                    try feed(bytes: bytes, element: element)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }

    private mutating func feed<E: Error>(
        bytes: UnsafeRawBufferPointer, element: ([UInt8]?) throws(E) -> Void
    ) throws(FeedError<E>) {
        var index = 0
        while index < bytes.count {
            if case .element = position, inString, !escaped {
                // Most of a list is text inside strings: jump to the next quote or
                // backslash, and keep the bytes up to it in one copy.
                let end = Self.nextQuoteOrBackslash(in: bytes, from: index)
                append(UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
                index = end
                guard index < bytes.count else { break }
            }
            let byte = bytes[index]
            index += 1
            switch position {
            case .start:
                if Self.isSpace(byte) { continue }
                guard byte == UInt8(ascii: "[") else { throw .malformed(Malformed("not a JSON array")) }
                position = .beforeElement(first: true)
            case .beforeElement(let first):
                if Self.isSpace(byte) { continue }
                if first, byte == UInt8(ascii: "]") {
                    position = .end
                    continue
                }
                guard byte != UInt8(ascii: "]"), byte != UInt8(ascii: ",") else {
                    throw .malformed(Malformed("an array element is missing"))
                }
                position = .element
                try begin(byte, element: element)
            case .element:
                try take(byte, element: element)
            case .afterElement:
                if Self.isSpace(byte) { continue }
                if byte == UInt8(ascii: ",") {
                    position = .beforeElement(first: false)
                } else if byte == UInt8(ascii: "]") {
                    position = .end
                } else {
                    throw .malformed(Malformed("array elements are not separated by commas"))
                }
            case .end:
                guard Self.isSpace(byte) else { throw .malformed(Malformed("data after the end of the array")) }
            }
        }
    }

    /// The index of the first `"` or `\\` at or after `start`, or the end: where a JSON
    /// string's plain text ends (also `OrchestratorBodyFilter`'s).
    static func nextQuoteOrBackslash(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress, start < bytes.count else { return bytes.count }
        let length = bytes.count - start
        let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), length)
        let searched = quote.map { base.distance(to: UnsafeRawPointer($0)) - start } ?? length
        let backslash = memchr(base + start, Int32(UInt8(ascii: "\\")), searched)
        if let backslash { return base.distance(to: UnsafeRawPointer(backslash)) }
        return start + searched
    }

    /// Throws unless the whole array has been read (the body ended early otherwise).
    public func finish() throws(Malformed) {
        guard isComplete else { throw Malformed("the array ends before its closing bracket") }
    }

    public enum FeedError<E: Error>: Error {
        case malformed(Malformed)
        case element(E)
    }

    private mutating func begin<E: Error>(_ byte: UInt8, element: ([UInt8]?) throws(E) -> Void) throws(FeedError<E>) {
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        tooLarge = false
        depth = 0
        inString = false
        escaped = false
        try take(byte, element: element)
    }

    /// One byte of the current element.
    private mutating func take<E: Error>(_ byte: UInt8, element: ([UInt8]?) throws(E) -> Void) throws(FeedError<E>) {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            append(byte)
            if !inString, depth == 0 {
                // A string element is whole at its closing quote.
                try complete(element: element)
                position = .afterElement
            }
            return
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            guard depth <= Self.maximumDepth else { throw .malformed(Malformed("an element nests too deeply")) }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            if depth == 0 {
                // The array's own `]` after a number or literal element.
                guard byte == UInt8(ascii: "]") else { throw .malformed(Malformed("unbalanced brackets")) }
                try complete(element: element)
                position = .end
                return
            }
            depth -= 1
        case UInt8(ascii: ","):
            if depth == 0 {
                try complete(element: element)
                position = .beforeElement(first: false)
                return
            }
        default:
            if depth == 0, Self.isSpace(byte) {
                try complete(element: element)
                position = .afterElement
                return
            }
        }
        append(byte)
        if depth == 0, byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
            // An object or array element is whole at its closing bracket.
            try complete(element: element)
            position = .afterElement
        }
    }

    private mutating func append(_ byte: UInt8) {
        withUnsafeBytes(of: byte) { append($0) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        pendingBytes += bytes.count
        guard !tooLarge else { return }
        guard pendingBytes <= maximumElementBytes else {
            tooLarge = true
            pending = []
            return
        }
        pending.append(contentsOf: bytes)
    }

    private mutating func complete<E: Error>(element: ([UInt8]?) throws(E) -> Void) throws(FeedError<E>) {
        elements += 1
        let bytes = tooLarge ? nil : pending
        pending.removeAll(keepingCapacity: !tooLarge)
        do {
            try element(bytes)
        } catch {
            throw .element(error)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
