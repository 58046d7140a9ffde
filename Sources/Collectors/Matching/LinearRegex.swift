/// Regular expressions for silence matchers and process patterns, matched in time
/// linear in the input (a Thompson NFA run as a Pike VM), the way Alertmanager's Go
/// (RE2) runs them. Foundation's `NSRegularExpression` would also bring ICU into the
/// binary.
///
/// A backtracking engine can take exponential time on a pattern such as `(a|a)*b`; a
/// silence is matched against every firing key in every tick, so one careless pattern
/// from the API would stall the tick loop. This one cannot: every input scalar is looked
/// at once per program instruction at most. It reads the RE2 syntax silences use:
/// literals, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and their negations), groups
/// (`(…)`, `(?:…)`), alternation, `* + ? {n} {n,} {n,m}` (lazy forms read as greedy:
/// only whether it matches counts), `^ $`, and the flags `i` and `s` (`(?i)`,
/// `(?i:…)`). Anything else is refused with the reason, never guessed.
public struct LinearRegex: Sendable {
    fileprivate let program: [Instruction]

    /// Bounds: RE2 refuses repeat counts over 1000; the program size bounds the work per
    /// input scalar.
    static let maximumRepeat = 1_000
    static let maximumProgram = 20_000

    public init(_ pattern: String) throws(RegexSyntaxError) {
        var parser = Parser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        var compiler = Compiler()
        try compiler.emit(node)
        compiler.program.append(.match)
        guard compiler.program.count <= Self.maximumProgram else {
            throw RegexSyntaxError("the regular expression is too large once its repeats are spelled out")
        }
        program = compiler.program
    }

    /// Whether the whole of `text` matches (Alertmanager anchors its matchers).
    public func wholeMatch(_ text: String) -> Bool {
        run(text, searching: false)
    }

    /// Whether a match starts anywhere in `text` (a search, as `grep` does: `^` and `$`
    /// still hold only at the ends). Stops at the first match found.
    public func containsMatch(in text: String) -> Bool {
        run(text, searching: true)
    }

    /// The Pike VM: every thread advances over each scalar in step. A search also
    /// starts a thread after every scalar and ends at the first match.
    private func run(_ text: String, searching: Bool) -> Bool {
        let input = Array(text.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        addThread(&current, 0, at: 0, length: input.count)
        for (position, scalar) in input.enumerated() {
            if searching ? reachesMatch(current) : current.isEmpty { return searching }
            next.clear()
            for pc in current.items {
                if case .scalar(let test) = program[pc], test.matches(scalar) {
                    addThread(&next, pc + 1, at: position + 1, length: input.count)
                }
            }
            if searching { addThread(&next, 0, at: position + 1, length: input.count) }
            swap(&current, &next)
        }
        return reachesMatch(current)
    }

    private func reachesMatch(_ list: ThreadList) -> Bool {
        list.items.contains { if case .match = program[$0] { true } else { false } }
    }

    /// Follows jumps, splits and assertions from `pc`, adding the instructions that
    /// consume input (and `match`) to `list`, each once.
    private func addThread(_ list: inout ThreadList, _ start: Int, at position: Int, length: Int) {
        var stack = [start]
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertStart:
                if position == 0 { stack.append(pc + 1) }
            case .assertEnd:
                if position == length { stack.append(pc + 1) }
            case .scalar, .match:
                break
            }
        }
    }

    // MARK: the program

    enum Instruction: Sendable {
        case scalar(ScalarTest)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    struct ScalarTest: Sendable {
        var ranges: [ClosedRange<UInt32>]
        var negated: Bool
        var caseInsensitive: Bool

        func matches(_ scalar: Unicode.Scalar) -> Bool {
            var hit = ranges.contains { $0.contains(scalar.value) }
            if !hit, caseInsensitive {
                let other = Self.otherCase(scalar)
                hit = other != scalar.value && ranges.contains { $0.contains(other) }
            }
            return hit != negated
        }

        /// ASCII case folding, plus the simple Unicode mapping where it is one scalar.
        static func otherCase(_ scalar: Unicode.Scalar) -> UInt32 {
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            let upper = scalar.properties.uppercaseMapping.unicodeScalars
            if lower.count == 1, let first = lower.first, first != scalar { return first.value }
            if upper.count == 1, let first = upper.first, first != scalar { return first.value }
            return scalar.value
        }
    }

    /// A set of program counters with insertion order, cleared in O(size).
    struct ThreadList {
        private(set) var items: [Int] = []
        private var present: [Bool]

        init(capacity: Int) { present = Array(repeating: false, count: capacity) }

        var isEmpty: Bool { items.isEmpty }

        mutating func insert(_ pc: Int) -> Bool {
            guard !present[pc] else { return false }
            present[pc] = true
            items.append(pc)
            return true
        }

        mutating func clear() {
            for pc in items { present[pc] = false }
            items.removeAll(keepingCapacity: true)
        }
    }

    // MARK: syntax

    indirect enum Node {
        case empty
        case test(ScalarTest)
        case concat([Node])
        case alternate([Node])
        case repeated(Node, min: Int, max: Int?)
        case start
        case end
    }

    struct Flags {
        var caseInsensitive = false
        var dotMatchesNewline = false
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { position >= scalars.count }
        func peek() -> Unicode.Scalar? { atEnd ? nil : scalars[position] }

        mutating func take() -> Unicode.Scalar? {
            guard let scalar = peek() else { return nil }
            position += 1
            return scalar
        }

        mutating func parseAll() throws(RegexSyntaxError) -> Node {
            var flags = Flags()
            let node = try alternation(&flags)
            guard atEnd else { throw RegexSyntaxError("unmatched ) in the regular expression") }
            return node
        }

        mutating func alternation(_ flags: inout Flags) throws(RegexSyntaxError) -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 100 else { throw RegexSyntaxError("the regular expression nests too deeply") }
            var branches = [try concatenation(&flags)]
            while peek() == "|" {
                position += 1
                branches.append(try concatenation(&flags))
            }
            return branches.count == 1 ? branches[0] : .alternate(branches)
        }

        mutating func concatenation(_ flags: inout Flags) throws(RegexSyntaxError) -> Node {
            var items: [Node] = []
            while let scalar = peek(), scalar != "|", scalar != ")" {
                if let atom = try atom(&flags) {
                    items.append(try quantified(atom))
                }
            }
            return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concat(items))
        }

        /// nil for a flag setting such as `(?i)`, which matches nothing itself.
        mutating func atom(_ flags: inout Flags) throws(RegexSyntaxError) -> Node? {
            guard let scalar = take() else { throw RegexSyntaxError("the regular expression ends early") }
            switch scalar {
            case "(":
                var inner = flags
                if peek() == "?" {
                    position += 1
                    var setting = flags
                    var on = true
                    while let next = take() {
                        switch next {
                        case "i": setting.caseInsensitive = on
                        case "s": setting.dotMatchesNewline = on
                        case "-": on = false
                        case ":":
                            inner = setting
                            return try group(&inner)
                        case ")":
                            flags = setting
                            return nil
                        default:
                            throw RegexSyntaxError("the group (?\(next) … is not supported in regular expressions here")
                        }
                    }
                    throw RegexSyntaxError("the regular expression ends inside a group")
                }
                return try group(&inner)
            case ")":
                throw RegexSyntaxError("unmatched ) in the regular expression")
            case "*", "+", "?", "{":
                if scalar == "{", !startsRepeat() { return .test(literal("{", flags)) }
                throw RegexSyntaxError("\(scalar) has nothing to repeat in the regular expression")
            case ".":
                var test = ScalarTest(ranges: [10...10], negated: true, caseInsensitive: false)
                if flags.dotMatchesNewline {
                    test = ScalarTest(ranges: [0...0x10FFFF], negated: false, caseInsensitive: false)
                }
                return .test(test)
            case "^":
                return .start
            case "$":
                return .end
            case "[":
                return .test(try characterClass(flags))
            case "\\":
                return .test(try escape(flags, inClass: false))
            default:
                return .test(literal(scalar, flags))
            }
        }

        mutating func group(_ flags: inout Flags) throws(RegexSyntaxError) -> Node {
            let inner = try alternation(&flags)
            guard take() == ")" else { throw RegexSyntaxError("missing ) in the regular expression") }
            return inner
        }

        func literal(_ scalar: Unicode.Scalar, _ flags: Flags) -> ScalarTest {
            ScalarTest(ranges: [scalar.value...scalar.value], negated: false, caseInsensitive: flags.caseInsensitive)
        }

        func startsRepeat() -> Bool {
            var index = position
            var digits = 0
            while index < scalars.count, scalars[index].properties.numericType != nil, scalars[index].isASCII {
                index += 1
                digits += 1
            }
            return digits > 0 && index < scalars.count && (scalars[index] == "}" || scalars[index] == ",")
        }

        mutating func quantified(_ atom: Node) throws(RegexSyntaxError) -> Node {
            var node = atom
            var repeated = false
            while let scalar = peek() {
                let (min, max): (Int, Int?)
                switch scalar {
                case "*": (min, max) = (0, nil)
                case "+": (min, max) = (1, nil)
                case "?": (min, max) = (0, 1)
                case "{" where startsRepeatAfterBrace():
                    position += 1
                    (min, max) = try repeatCounts()  // leaves the position on the }
                default:
                    return node
                }
                position += 1
                // `a**` is refused as RE2 refuses it; `(a*)*` is a group repeated, and fine.
                if repeated { throw RegexSyntaxError("a repeat of a repeat is not allowed (as in RE2)") }
                repeated = true
                if peek() == "?" { position += 1 }  // lazy: the same for a yes/no match
                node = .repeated(node, min: min, max: max)
            }
            return node
        }

        func startsRepeatAfterBrace() -> Bool {
            var copy = self
            copy.position += 1
            return copy.startsRepeat()
        }

        /// After `{`: `n}`, `n,}` or `n,m}`; leaves the position on the `}`.
        mutating func repeatCounts() throws(RegexSyntaxError) -> (Int, Int?) {
            func number() -> Int? {
                var value = 0
                var digits = 0
                while let scalar = peek(), scalar.isASCII, let digit = Int(String(scalar)), digits < 5 {
                    value = value * 10 + digit
                    digits += 1
                    position += 1
                }
                return digits > 0 ? value : nil
            }
            guard let min = number() else { throw RegexSyntaxError("a repeat count is missing") }
            var max: Int? = min
            if peek() == "," {
                position += 1
                max = number()
            }
            guard peek() == "}" else { throw RegexSyntaxError("a repeat {…} is not closed") }
            guard min <= LinearRegex.maximumRepeat, (max ?? 0) <= LinearRegex.maximumRepeat,
                max.map({ $0 >= min }) ?? true
            else { throw RegexSyntaxError("a repeat count is over \(LinearRegex.maximumRepeat) or backwards") }
            return (min, max)
        }

        mutating func characterClass(_ flags: Flags) throws(RegexSyntaxError) -> ScalarTest {
            var negated = false
            if peek() == "^" {
                negated = true
                position += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while true {
                guard let scalar = take() else { throw RegexSyntaxError("missing ] in the regular expression") }
                if scalar == "]" && !first { break }
                first = false
                if scalar == "[", peek() == ":" {
                    throw RegexSyntaxError("[:class:] names are not supported in regular expressions here")
                }
                var low: ScalarTest
                if scalar == "\\" {
                    low = try escape(flags, inClass: true)
                } else {
                    low = literal(scalar, flags)
                }
                // A range a-z: both ends single scalars.
                if peek() == "-", position + 1 < scalars.count, scalars[position + 1] != "]",
                    low.ranges.count == 1, low.ranges[0].count == 1, !low.negated
                {
                    position += 1
                    guard let upperScalar = take() else {
                        throw RegexSyntaxError("missing ] in the regular expression")
                    }
                    let high = upperScalar == "\\" ? try escape(flags, inClass: true) : literal(upperScalar, flags)
                    guard high.ranges.count == 1, high.ranges[0].count == 1, !high.negated,
                        low.ranges[0].lowerBound <= high.ranges[0].lowerBound
                    else { throw RegexSyntaxError("a class range is backwards or not a range") }
                    ranges.append(low.ranges[0].lowerBound...high.ranges[0].lowerBound)
                    continue
                }
                if low.negated {
                    // \D, \W, \S inside a class: the complement of their ranges.
                    low = ScalarTest(ranges: Self.complement(low.ranges), negated: false, caseInsensitive: false)
                }
                ranges += low.ranges
            }
            return ScalarTest(ranges: ranges, negated: negated, caseInsensitive: flags.caseInsensitive)
        }

        static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var result: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
                next = max(next, range.upperBound &+ 1)
            }
            if next <= 0x10FFFF { result.append(next...0x10FFFF) }
            return result
        }

        static let digits: [ClosedRange<UInt32>] = [48...57]
        static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
        static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]

        mutating func escape(_ flags: Flags, inClass: Bool) throws(RegexSyntaxError) -> ScalarTest {
            guard let scalar = take() else { throw RegexSyntaxError("the regular expression ends with \\") }
            func set(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> ScalarTest {
                ScalarTest(ranges: ranges, negated: negated, caseInsensitive: false)
            }
            switch scalar {
            case "d": return set(Self.digits, negated: false)
            case "D": return set(Self.digits, negated: true)
            case "w": return set(Self.word, negated: false)
            case "W": return set(Self.word, negated: true)
            case "s": return set(Self.space, negated: false)
            case "S": return set(Self.space, negated: true)
            case "n": return literal("\n", flags)
            case "t": return literal("\t", flags)
            case "r": return literal("\r", flags)
            default:
                guard scalar.isASCII, !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil) else {
                    throw RegexSyntaxError("the escape \\\(scalar) is not supported in regular expressions here")
                }
                return literal(scalar, flags)
            }
        }
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func emit(_ node: Node) throws(RegexSyntaxError) {
            guard program.count <= LinearRegex.maximumProgram else {
                throw RegexSyntaxError("the regular expression is too large once its repeats are spelled out")
            }
            switch node {
            case .empty:
                break
            case .test(let test):
                program.append(.scalar(test))
            case .start:
                program.append(.assertStart)
            case .end:
                program.append(.assertEnd)
            case .concat(let items):
                for item in items { try emit(item) }
            case .alternate(let branches):
                var jumpsToEnd: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(branch)
                        jumpsToEnd.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumpsToEnd { program[jump] = .jump(program.count) }
            case .repeated(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // Up to max − min optional copies, each skippable to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    // A loop: split into the body or out; the body jumps back.
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    try emit(inner)
                    program.append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }
}

/// A `LinearRegex` with a lazily built DFA: each set of NFA states met is numbered once,
/// and each step from it on a class of scalars is remembered, so matching many labels
/// costs one table lookup per scalar after the first few. Scalars are grouped into
/// classes by which of the program's tests they pass, so tables stay small. Over
/// `maximumStates` it stops growing and runs the NFA for what is not in the tables.
/// One per matcher per tick; not shared between threads.
public final class CachedRegex {
    private let regex: LinearRegex
    private var program: [LinearRegex.Instruction] { regex.program }
    /// The program's consuming tests, in program order, with their pcs.
    private let tests: [(pc: Int, test: LinearRegex.ScalarTest)]
    /// Filled as scalars are met: -1 not classified yet.
    private var asciiClass = [Int32](repeating: -1, count: 128)
    private var otherClasses: [UInt32: Int32] = [:]
    private var classSignatures: [[Bool]: Int32] = [:]
    private var classMembers: [[Bool]] = []

    private var states: [[Int]] = []
    private var stateIndex: [[Int]: Int32] = [:]
    /// Per state, per class: the next state; -1 not known yet.
    private var transitions: [[Int32]] = []
    private var accepting: [Bool] = []
    private var start: Int32 = 0

    static let maximumStates = 512

    public init(_ regex: LinearRegex) {
        self.regex = regex
        tests = regex.program.enumerated().compactMap { pc, instruction in
            if case .scalar(let test) = instruction { (pc, test) } else { nil }
        }
    }

    /// Built on first use: most silences are ruled out by an equality matcher first.
    private var started = false

    public func wholeMatch(_ text: String) -> Bool {
        if !started {
            started = true
            start = state(for: closure(of: [0], atStart: true))
        }
        // At the end of an empty text the position is also the start, where `^` holds;
        // the tables are for ends after at least one scalar.
        if text.isEmpty { return regex.wholeMatch(text) }
        var current = start
        for scalar in text.unicodeScalars {
            var cls = scalar.value < 128 ? asciiClass[Int(scalar.value)] : classOf(scalar)
            if cls < 0 {
                cls = classOf(scalar)
                asciiClass[Int(scalar.value)] = cls
            }
            var next = transitions[Int(current)].count > Int(cls) ? transitions[Int(current)][Int(cls)] : -1
            if next < 0 {
                guard let stepped = step(current, cls) else { return regex.wholeMatch(text) }
                next = stepped
            }
            if states[Int(next)].isEmpty { return false }
            current = next
        }
        return accepting[Int(current)]
    }

    private func classOf(_ scalar: Unicode.Scalar) -> Int32 {
        if scalar.value >= 128, let known = otherClasses[scalar.value] { return known }
        // One test per distinct scalar class: compared against every test of the program.
        let signature = tests.map { $0.test.matches(scalar) }
        let cls: Int32
        if let known = classSignatures[signature] {
            cls = known
        } else {
            cls = Int32(classMembers.count)
            classSignatures[signature] = cls
            classMembers.append(signature)
        }
        // Bounded: a label with thousands of distinct non-ASCII scalars must not grow this.
        if scalar.value >= 128, otherClasses.count < 4_096 { otherClasses[scalar.value] = cls }
        return cls
    }

    /// nil when the tables are full: the caller runs the NFA instead.
    private func step(_ from: Int32, _ cls: Int32) -> Int32? {
        let passing = classMembers[Int(cls)]
        var next: [Int] = []
        for pc in states[Int(from)] {
            guard case .scalar = program[pc], let index = tests.firstIndex(where: { $0.pc == pc }), passing[index]
            else { continue }
            next.append(pc + 1)
        }
        let target = state(for: closure(of: next, atStart: false))
        guard target >= 0 else { return nil }
        while transitions[Int(from)].count <= Int(cls) { transitions[Int(from)].append(-1) }
        transitions[Int(from)][Int(cls)] = target
        return target
    }

    /// -1 when there is no room for a new state.
    private func state(for pcs: [Int]) -> Int32 {
        if let known = stateIndex[pcs] { return known }
        guard states.count < Self.maximumStates else { return -1 }
        let id = Int32(states.count)
        states.append(pcs)
        stateIndex[pcs] = id
        transitions.append([])
        accepting.append(accepts(pcs))
        return id
    }

    /// The consuming instructions, `match` and pending end assertions reachable from
    /// `pcs` without input, sorted: the DFA state.
    private func closure(of pcs: [Int], atStart: Bool) -> [Int] {
        var seen = Set<Int>()
        var result: [Int] = []
        var stack = Array(pcs.reversed())
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch program[pc] {
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertStart: if atStart { stack.append(pc + 1) }
            case .assertEnd, .scalar, .match: result.append(pc)
            }
        }
        return result.sorted()
    }

    /// Whether the input may end in this state, after at least one scalar: a `match`, or
    /// one reached through end assertions (which hold at the end; `^` does not).
    private func accepts(_ pcs: [Int]) -> Bool {
        var seen = Set<Int>()
        var stack = pcs
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch program[pc] {
            case .match: return true
            case .assertEnd: stack.append(pc + 1)
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(contentsOf: [first, second])
            case .assertStart, .scalar: break
            }
        }
        return false
    }
}

/// Why a regular expression was refused: the reason, for the caller to name the
/// variable or the field it came from.
public struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
