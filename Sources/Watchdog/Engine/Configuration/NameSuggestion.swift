/// Finds the known variable name closest to a misspelt one ("did you mean …?").
enum NameSuggestion {
    /// The closest of `candidates` within a few edits of `name`, or nil.
    static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(2, name.count / 4)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(name.utf8), Array(candidate.utf8))
            if distance <= limit, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance; names are short, so the O(n·m) table is fine.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
