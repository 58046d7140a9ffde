/// The fields of `/proc/<pid>/stat` the process scan needs (proc(5)).
///
/// The command name (field 2) is in parentheses and may itself hold spaces and
/// parentheses (`(my (odd) name)`), so the fields after it are counted from the *last*
/// `)` of the line.
public struct ProcessStat: Sendable, Equatable {
    public let pid: Int
    /// `comm`: the executable's name, at most 15 bytes from the kernel.
    public let name: String
    public let parentPID: Int
    /// Field 9; `PF_KTHREAD` marks kernel threads.
    public let flags: UInt64
    /// Field 22: start time in clock ticks after boot.
    public let startTicks: UInt64

    static let kernelThreadFlag: UInt64 = 0x0020_0000

    /// Kernel threads: flagged `PF_KTHREAD`, or `kthreadd` (pid 2) and its children, for
    /// kernels and fixtures without the flag.
    public var isKernelThread: Bool {
        flags & Self.kernelThreadFlag != 0 || pid == 2 || parentPID == 2
    }

    public init(pid: Int, name: String, parentPID: Int, flags: UInt64, startTicks: UInt64) {
        self.pid = pid
        self.name = name
        self.parentPID = parentPID
        self.flags = flags
        self.startTicks = startTicks
    }

    /// Parses one stat line.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> ProcessStat {
        try parse(line: Array(bytes)[...])
    }

    /// Parses one stat line in place: a scan reads thousands of these, so no field is
    /// copied or turned into a string except the name.
    static func parse(line: ArraySlice<UInt8>) throws -> ProcessStat {
        let space = UInt8(ascii: " ")
        let newline = UInt8(ascii: "\n")
        guard let open = line.firstIndex(of: UInt8(ascii: "(")),
            let close = line.lastIndex(of: UInt8(ascii: ")")), open < close
        else { throw CollectorError("stat has no (command name)") }
        var pidEnd = open
        while pidEnd > line.startIndex, line[pidEnd - 1] == space { pidEnd -= 1 }
        guard let pid = number(line[line.startIndex..<pidEnd]) else {
            throw CollectorError("stat does not start with a pid")
        }
        // Fields from 3 (state) on follow the name: ppid is field 4, flags 9, starttime 22.
        var field = 3
        var parent: UInt64?
        var flags: UInt64?
        var startTicks: UInt64?
        var index = close + 1
        while index < line.endIndex, field <= 22 {
            while index < line.endIndex, line[index] == space || line[index] == newline { index += 1 }
            guard index < line.endIndex else { break }
            let start = index
            while index < line.endIndex, line[index] != space, line[index] != newline { index += 1 }
            switch field {
            case 4: parent = number(line[start..<index])
            case 9: flags = number(line[start..<index])
            case 22: startTicks = number(line[start..<index])
            default: break
            }
            field += 1
        }
        guard let parent, let flags, let startTicks else {
            throw CollectorError("stat of pid \(pid) has malformed fields")
        }
        return ProcessStat(
            pid: Int(pid), name: String(decoding: line[(open + 1)..<close], as: UTF8.self), parentPID: Int(parent),
            flags: flags, startTicks: startTicks)
    }

    /// A decimal number of at most 19 digits; nil for anything else.
    static func number(_ digits: some Collection<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}

/// How a process's command line is shown and matched: `/proc/<pid>/cmdline` holds the
/// arguments separated (and usually ended) by NULs; they are joined with spaces. An
/// empty one (zombies, some daemons) is shown as `[name]`, as `ps` does.
public enum ProcessCommandLine {
    public static func display(_ bytes: some Collection<UInt8>, name: String) -> String {
        var joined = bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }
        while joined.last == UInt8(ascii: " ") { joined.removeLast() }
        return joined.isEmpty ? "[\(name)]" : String(decoding: joined, as: UTF8.self)
    }
}

/// `btime` of `/proc/stat`: the boot time in Unix seconds.
public enum BootTime {
    public static func parse(_ text: String) throws -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            if let seconds = Double(line.dropFirst("btime ".count).trimmingCharacters(in: " ")), seconds > 0 {
                return seconds
            }
        }
        throw CollectorError("no btime line in stat")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return text
    }
}
