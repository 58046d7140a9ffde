/// Splits a byte stream into lines as it arrives (Docker's `/events` sends one JSON
/// object a line), holding at most `maximumLineBytes` of an unfinished line: a line
/// longer than that is an error for the stream, never a memory spike.
public struct JSONLinesReader: Sendable {
    public struct LineTooLong: Error, Sendable, Equatable, CustomStringConvertible {
        public let limit: Int
        public init(limit: Int) { self.limit = limit }
        public var description: String { "docker: an event longer than \(limit) bytes; the stream is read anew" }
    }

    /// Docker's events are a few hundred bytes; labels can make one a few KiB.
    public static let defaultLimit = 64 * 1024

    public let maximumLineBytes: Int
    private var pending: [UInt8] = []

    public init(maximumLineBytes: Int = JSONLinesReader.defaultLimit) {
        self.maximumLineBytes = max(1, maximumLineBytes)
    }

    /// The lines completed by `chunk`, without their line ends; empty lines are skipped.
    /// After an error the reader is empty again and must be given a fresh stream.
    public mutating func feed(_ chunk: some Sequence<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if !pending.isEmpty { lines.append(pending) }
                pending.removeAll(keepingCapacity: true)
            } else {
                guard pending.count < maximumLineBytes else {
                    pending = []
                    throw LineTooLong(limit: maximumLineBytes)
                }
                pending.append(byte)
            }
        }
        return lines
    }

    /// Bytes of an unfinished line held now.
    public var bufferedBytes: Int { pending.count }
}
