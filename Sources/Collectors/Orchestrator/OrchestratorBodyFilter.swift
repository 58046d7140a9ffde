import Glibc

/// Keeps what the watchdog reads of the orchestrator's answer as it arrives, so its
/// size is bounded by what is kept, not by what the orchestrator lists (SPEC §12: scale
/// is not failure). A JSON envelope is kept whole but for the agents past the first
/// `OrchestratorEnvelope.maximumAgents`, which are counted and dropped; a Prometheus
/// text keeps the sample lines of the metrics the rules read (all of them when no set
/// is given), and once `limit` bytes are kept, later lines are counted and dropped.
/// Only an envelope that is over the limit for another reason than its agents is an
/// error. Pure: the HTTP exchange feeds it on the event loop.
public struct OrchestratorBodyFilter: Sendable {
    public struct TooLarge: Error, Sendable {}

    enum Kind: Sendable {
        case envelope
        case text
    }

    let kind: Kind
    let limit: Int
    let metricNames: Set<String>?
    public private(set) var kept: [UInt8] = []
    /// Agents the envelope listed, when it had an `agents` array.
    public private(set) var agentsListed: Int?
    /// Sample lines of wanted metrics left out because `limit` bytes were kept already.
    public private(set) var linesLeftOut = 0

    // The envelope's scan.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The text of the current string at depth 1, while it can still be `agents`.
    private var key: [UInt8] = []
    private var keyCandidate = false
    private enum AgentsKey: Sendable { case none, seen, colon }
    private var agentsKey = AgentsKey.none
    /// Inside the agents array: its depth, elements begun, and whether the current one began.
    private var agentsDepth: Int?
    private var elements = 0
    private var elementBegun = false
    private var cutting = false

    // The text's current line.
    private var line: [UInt8] = []
    private var lineTooLong = false
    static let maximumLineBytes = 64 * 1024

    /// `contentType` as the answer's head says it, lower-cased: Prometheus text and
    /// OpenMetrics are lines, anything else is read as an envelope (and judged later).
    public init(contentType: String, limit: Int, metricNames: Set<String>? = nil) {
        kind =
            contentType.hasPrefix("text/plain") || contentType.hasPrefix("application/openmetrics-text")
            ? .text : .envelope
        self.limit = limit
        self.metricNames = metricNames
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(TooLarge) {
        switch kind {
        case .envelope: try feedEnvelope(bytes)
        case .text: feedText(bytes)
        }
    }

    /// The end of the answer: a last line without its line end is taken.
    public mutating func finish() {
        if case .text = kind, !line.isEmpty { takeLine() }
    }

    // MARK: the envelope

    private mutating func keep(_ bytes: UnsafeRawBufferPointer) throws(TooLarge) {
        guard !cutting else { return }
        guard kept.count + bytes.count <= limit else { throw TooLarge() }
        kept.append(contentsOf: bytes)
    }

    private mutating func feedEnvelope(_ bytes: UnsafeRawBufferPointer) throws(TooLarge) {
        var index = 0
        while index < bytes.count {
            if inString, !escaped {
                // Strings are most of the bytes: jump to the next quote or backslash.
                let end = JSONArrayReader.nextQuoteOrBackslash(in: bytes, from: index)
                let span = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
                if keyCandidate {
                    key.append(contentsOf: span.prefix(7))
                    if key.count > 6 { keyCandidate = false }
                }
                try keep(span)
                index = end
                guard index < bytes.count else { break }
            }
            let byte = bytes[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                    keyCandidate = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if keyCandidate, key.elementsEqual("agents".utf8), agentsDepth == nil { agentsKey = .seen }
                }
                try keep(UnsafeRawBufferPointer(rebasing: bytes[(index - 1)..<index]))
                continue
            }
            let atArrayTop = agentsDepth == depth
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                keyCandidate = depth == 1 && agentsDepth == nil
                key.removeAll(keepingCapacity: true)
                agentsKey = .none
                if atArrayTop { beginElement() }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if byte == UInt8(ascii: "["), agentsKey == .colon, depth == 1 {
                    agentsDepth = depth + 1
                    elements = 0
                    elementBegun = false
                } else if atArrayTop {
                    beginElement()
                }
                agentsKey = .none
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                agentsKey = .none
                if let agents = agentsDepth, depth < agents {
                    // The agents array closes: its `]` is kept again.
                    agentsListed = elements
                    agentsDepth = nil
                    cutting = false
                }
            case UInt8(ascii: ":"):
                agentsKey = agentsKey == .seen ? .colon : .none
            case UInt8(ascii: ","):
                agentsKey = .none
                if atArrayTop {
                    elementBegun = false
                    if elements >= OrchestratorEnvelope.maximumAgents {
                        cutting = true
                    }
                }
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                agentsKey = .none
                if atArrayTop { beginElement() }
            }
            try keep(UnsafeRawBufferPointer(rebasing: bytes[(index - 1)..<index]))
        }
    }

    private mutating func beginElement() {
        guard !elementBegun else { return }
        elementBegun = true
        elements += 1
    }

    // MARK: the text

    private mutating func feedText(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let newline = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index)
            let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
            let part = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
            if !lineTooLong {
                if line.count + part.count > Self.maximumLineBytes {
                    lineTooLong = true
                    line = []
                } else {
                    line.append(contentsOf: part)
                }
            }
            index = end
            guard newline != nil else { return }
            index += 1
            takeLine()
        }
    }

    private mutating func takeLine() {
        defer {
            line.removeAll(keepingCapacity: true)
            lineTooLong = false
        }
        let first = line.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
        guard let first, line[first] != UInt8(ascii: "#") else { return }
        if lineTooLong {
            linesLeftOut += 1
            return
        }
        if let metricNames {
            let nameEnd =
                line[first...].firstIndex { $0 == UInt8(ascii: "{") || $0 == 0x20 || $0 == 0x09 } ?? line.endIndex
            guard metricNames.contains(String(decoding: line[first..<nameEnd], as: UTF8.self)) else { return }
        }
        guard kept.count + line.count + 1 <= limit else {
            linesLeftOut += 1
            return
        }
        kept.append(contentsOf: line)
        kept.append(UInt8(ascii: "\n"))
    }
}
