import Collectors

/// A time zone's UTC offsets over time, read from the system's zoneinfo (TZif, RFC 8536)
/// the way the C library reads it: the transitions, then the POSIX TZ rule of the file's
/// footer for times after the last one. The maintenance schedule needs nothing else, so
/// the watchdog does not carry a time zone database of its own (the image has `tzdata`).
struct ZoneRules: Sendable, Equatable {
    let name: String
    /// Transition instants, seconds since 1970 UTC, ascending.
    let transitions: [Int64]
    /// The offset from UTC, in seconds, in force from each transition on.
    let offsets: [Int32]
    /// Before the first transition.
    let initialOffset: Int32
    /// After the last transition (the footer); nil: the last offset stays.
    let rule: PosixTimeZoneRule?

    static let utc = ZoneRules(name: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    /// Instants beyond about ±3,000 years are read as that bound: nothing scheduled lies
    /// there, and the arithmetic here stays far from Int64's edges (a fuzzed zone file
    /// asked about `Int64.max` trapped in the search below).
    static let farthest: Int64 = 100_000_000_000

    static func clamped(_ value: Int64) -> Int64 { min(max(value, -farthest), farthest) }

    /// The offset from UTC at an instant.
    func offset(at instant: Int64) -> Int32 {
        let instant = Self.clamped(instant)
        guard let first = transitions.first, instant >= first else { return initialOffset }
        if let last = transitions.last, instant >= last, let rule { return rule.offset(at: instant) }
        // The last transition at or before the instant.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The instant a wall-clock time (seconds since 1970 as if the local clock were UTC)
    /// stands for. A time that happens twice (the clock goes back) is its first
    /// occurrence; a time that never happens (the clock skips it) is the moment of the
    /// skip, when the clock jumps past it.
    func instant(ofLocal local: Int64) -> Int64 {
        let local = Self.clamped(local)
        let before = Int64(offset(at: local &- 86_400))
        let after = Int64(offset(at: local &+ 86_400))
        let valid = Set([before, after]).map { local &- $0 }.filter { Int64(offset(at: $0)) == local &- $0 }
        if let first = valid.min() { return first }
        // In a gap: the skip lies between the two readings; find its first second.
        var low = min(local &- before, local &- after)
        var high = max(local &- before, local &- after)
        let target = max(before, after)
        while low < high {
            let middle = low + (high - low) / 2
            if Int64(offset(at: middle)) == target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Why a zone could not be used, for the configuration error.
struct ZoneInfoError: Error, Equatable, CustomStringConvertible {
    let description: String
}

extension ZoneRules {
    /// Where zoneinfo lives: `TZDIR` when set (as the C library reads it), else the
    /// system's.
    static func directory(environment: [String: String]) -> String {
        environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
    }

    /// Reads `name` (an IANA name such as `Europe/Berlin`) from `directory`. `UTC` needs
    /// no file. Names are checked before any path is built from them.
    static func load(_ name: String, directory: String) throws(ZoneInfoError) -> ZoneRules {
        if name == "UTC" { return .utc }
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }
        guard allowed, !name.isEmpty, name.utf8.count <= 64, !name.hasPrefix("/"),
            !name.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
        else { throw ZoneInfoError(description: "\"\(name.prefix(64))\" is not an IANA time zone name") }
        let path = directory + "/" + name
        guard let bytes = try? BoundedFile.read(path, limit: 256 * 1024) else {
            throw ZoneInfoError(
                description: "unknown time zone \"\(name)\": no \(path) (the system's zoneinfo; install tzdata)")
        }
        do {
            return try parse(bytes, name: name)
        } catch {
            throw ZoneInfoError(description: "\(path) is not a zoneinfo file: \(error.description)")
        }
    }

    /// Parses a TZif file, version 1 to 4. Bounded: every count is checked against the
    /// bytes there are before anything is read.
    static func parse(_ bytes: [UInt8], name: String) throws(ZoneInfoError) -> ZoneRules {
        var reader = ByteReader(bytes)
        let v1 = try reader.header()
        guard v1.version >= 2 else {
            let block = try reader.block(v1, timeSize: 4)
            return try rules(block, name: name, rule: nil)
        }
        try reader.skip(v1.dataLength(timeSize: 4))
        let v2 = try reader.header()
        let block = try reader.block(v2, timeSize: 8)
        let footer = reader.footer()
        let rule = footer.isEmpty ? nil : PosixTimeZoneRule(footer)
        return try rules(block, name: name, rule: rule)
    }

    private static func rules(_ block: ByteReader.Block, name: String, rule: PosixTimeZoneRule?) throws(ZoneInfoError)
        -> ZoneRules
    {
        guard !block.offsets.isEmpty else { throw ZoneInfoError(description: "it has no local time types") }
        var offsets: [Int32] = []
        for index in block.typeIndices {
            guard Int(index) < block.offsets.count else {
                throw ZoneInfoError(description: "a transition names a type that is not there")
            }
            offsets.append(block.offsets[Int(index)])
        }
        guard zip(block.transitions, block.transitions.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ZoneInfoError(description: "its transitions are not in order")
        }
        return ZoneRules(
            name: name, transitions: block.transitions, offsets: offsets, initialOffset: block.offsets[0], rule: rule)
    }
}

/// Reads the big-endian parts of a TZif file, never past its end.
private struct ByteReader {
    struct Header {
        let version: Int
        let isUTCCount, isStandardCount, leapCount, timeCount, typeCount, charCount: Int

        func dataLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                + isStandardCount + isUTCCount
        }
    }

    struct Block {
        let transitions: [Int64]
        let typeIndices: [UInt8]
        let offsets: [Int32]
    }

    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func take(_ count: Int) throws(ZoneInfoError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw ZoneInfoError(description: "it ends early")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func skip(_ count: Int) throws(ZoneInfoError) { _ = try take(count) }

    mutating func int(_ size: Int) throws(ZoneInfoError) -> Int64 {
        var value: UInt64 = 0
        for byte in try take(size) { value = value << 8 | UInt64(byte) }
        // Sign-extend from `size` bytes.
        let shift = UInt64(64 - size * 8)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }

    mutating func header() throws(ZoneInfoError) -> Header {
        guard Array(try take(4)) == Array("TZif".utf8) else { throw ZoneInfoError(description: "no TZif magic") }
        let versionByte = try take(1).first ?? 0
        let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
        guard (1...9).contains(version) else { throw ZoneInfoError(description: "unknown version") }
        try skip(15)
        var counts: [Int] = []
        for _ in 0..<6 {
            let count = try int(4)
            // Real files hold a few hundred of each; anything huge is not a zone.
            guard (0...100_000).contains(count) else { throw ZoneInfoError(description: "a count is out of range") }
            counts.append(Int(count))
        }
        return Header(
            version: version, isUTCCount: counts[0], isStandardCount: counts[1], leapCount: counts[2],
            timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
    }

    mutating func block(_ header: Header, timeSize: Int) throws(ZoneInfoError) -> Block {
        guard header.dataLength(timeSize: timeSize) <= bytes.count - position else {
            throw ZoneInfoError(description: "it ends early")
        }
        var transitions: [Int64] = []
        for _ in 0..<header.timeCount { transitions.append(try int(timeSize)) }
        let indices = Array(try take(header.timeCount))
        var offsets: [Int32] = []
        for _ in 0..<header.typeCount {
            let offset = try int(4)
            try skip(2)
            guard abs(offset) <= 26 * 3600 else { throw ZoneInfoError(description: "an offset is out of range") }
            offsets.append(Int32(offset))
        }
        try skip(header.charCount + header.leapCount * (timeSize + 4) + header.isStandardCount + header.isUTCCount)
        return Block(transitions: transitions, typeIndices: indices, offsets: offsets)
    }

    /// The POSIX TZ string between two newlines at the end; empty when there is none.
    mutating func footer() -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\n") else { return "" }
        let rest = bytes[(position + 1)...].prefix(256)
        guard let end = rest.firstIndex(of: UInt8(ascii: "\n")) else { return "" }
        return String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
    }
}
