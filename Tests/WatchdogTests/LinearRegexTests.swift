import Testing

@testable import Collectors

/// The silence matchers' regular expressions: RE2's syntax as silences use it, whole
/// matches, refusals with a reason, and linear time on patterns that make a
/// backtracking engine take exponential time.
@Suite struct LinearRegexTests {
    @Test(arguments: [
        ("web-.*", "web-1", true), ("web-.*", "api-web-1", false), ("db|cache", "cache", true),
        ("db|cache", "dbcache", false), ("a+b?c*", "aaac", true), ("a{2,3}", "aaa", true), ("a{2,3}", "aaaa", false),
        ("a{2}", "aa", true), ("a{2,}", "aaaaa", true), ("[a-c]x", "bx", true), ("[^a-c]x", "bx", false),
        (#"\d+\.\d+"#, "10.25", true), (#"\w+"#, "disk_full", true), (#"\W"#, "_", false), (#"[\d.]+"#, "1.2", true),
        ("(?i)WEB", "web", true), ("(?i:A)b", "aB", false), ("(?i:A)b", "ab", true), ("^ab$", "ab", true),
        ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true), ("", "", true), ("", "x", false),
        ("container_down:web\\..*", "container_down:web.1", true), ("(a|b)*c", "ababc", true), ("a*?", "aaa", true),
        ("x{", "x{", true), ("é+", "éé", true), ("[😀-😂]", "😁", true), ("(a*)*b", "aaab", true),
    ])
    func matchesAsRE2Does(pattern: String, text: String, matches: Bool) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.wholeMatch(text) == matches)
        let cached = CachedRegex(regex)
        #expect(cached.wholeMatch(text) == matches)
        #expect(cached.wholeMatch(text) == matches)  // from the tables built by the first
    }

    /// The DFA built as it goes answers as the NFA does, on patterns and texts drawn from
    /// a small alphabet so that they meet often; also with its tables full.
    @Test func theCachedDFAAgreesWithTheNFA() throws {
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let atoms = ["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(ab)", "é", "^", "$", "(?i:A)"]
        let quantifiers = ["", "", "*", "+", "?", "{1,2}"]
        var compared = 0
        for _ in 0..<400 {
            let pattern = (0..<(1 + next(4))).map { _ in atoms[next(atoms.count)] + quantifiers[next(quantifiers.count)]
            }
            .joined()
            guard let regex = try? LinearRegex(pattern) else { continue }
            let cached = CachedRegex(regex)
            for _ in 0..<20 {
                let text = String((0..<next(6)).map { _ in ["a", "b", "A", "é", "c"][next(5)] }.joined())
                #expect(cached.wholeMatch(text) == regex.wholeMatch(text), "\(pattern) on \(text)")
                compared += 1
            }
        }
        #expect(compared > 4_000)

        // `(a|b)*a(a|b){9}` needs 2¹⁰ DFA states, more than the tables hold.
        let wide = try LinearRegex("(a|b)*a(a|b){9}")
        let cached = CachedRegex(wide)
        for _ in 0..<300 {
            let text = String((0..<(10 + next(12))).map { _ in next(2) == 0 ? "a" : "b" }.joined())
            #expect(cached.wholeMatch(text) == wide.wholeMatch(text), "\(text)")
        }
    }

    @Test(arguments: [
        ("web-(", "missing )"), ("a)", "unmatched )"), ("*a", "nothing to repeat"), ("[a-", "missing ]"),
        ("a**", "repeat of a repeat"), ("a{1001}", "over 1000"), ("a{3,2}", "backwards"), (#"\b"#, "not supported"),
        (#"\p{L}"#, "not supported"), ("(?P<name>a)", "not supported"), ("[z-a]", "backwards"),
        ("[[:alpha:]]", "not supported"), ("((((a))))" + String(repeating: "(", count: 200), "nests too deeply"),
        ("(a{1000}){1000}", "too large"),
    ])
    func refusesWithTheReason(pattern: String, reason: String) {
        #expect {
            try LinearRegex(pattern)
        } throws: { error in
            (error as? RegexSyntaxError)?.reason.contains(reason) == true
        }
    }

    /// `(a|a)*b` against thirty a's takes a backtracking engine about 2³⁰ steps; here it
    /// is some thousand. Counted, not timed: the program size bounds the work per scalar.
    @Test func catastrophicPatternsStayLinear() throws {
        let regex = try LinearRegex("(a|a)*b")
        #expect(!regex.wholeMatch(String(repeating: "a", count: 5_000)))
        let nested = try LinearRegex("(a*)*(b+)*c")
        #expect(!nested.wholeMatch(String(repeating: "a", count: 5_000) + "b"))
        #expect(nested.wholeMatch(String(repeating: "a", count: 5_000) + "c"))
    }

    /// A search (process patterns): a match may start anywhere, `^` and `$` still hold
    /// only at the ends.
    @Test(arguments: [
        ("pytest", "/usr/bin/python3 -m pytest tests/", true), ("^python3? .*-m unittest", "python3 -m unittest", true),
        ("^python3? .*-m unittest", "/usr/bin/python3 -m unittest", false), ("worker$", "celery worker", true),
        ("worker$", "worker -A app", false), ("a|xyz", "bbbxyz", true), ("", "anything", true), ("x+y", "xxxz", false),
        ("(?i)PYTEST", "pytest -x", true), (#"\d{3}"#, "job-12-345", true), (#"\d{3}"#, "job-12-34", false),
    ])
    func searchesAnywhere(pattern: String, text: String, found: Bool) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.containsMatch(in: text) == found)
    }

    /// The search stays linear too: a catastrophic pattern on a long command line.
    @Test func searchingIsLinear() throws {
        let regex = try LinearRegex("(a|a)*b")
        #expect(!regex.containsMatch(in: String(repeating: "a", count: 20_000)))
        #expect(regex.containsMatch(in: String(repeating: "a", count: 20_000) + "b"))
    }
}
