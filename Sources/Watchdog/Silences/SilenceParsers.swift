import Collectors
import FoundationEssentials

/// The silence feature's parsers of outside input, on raw bytes, for the fuzz targets
/// (`FuzzTargets`) and their replayed inputs. Each must return for any input.
public enum SilenceParsers {
    /// A zoneinfo file, then the offsets and local-time conversions it drives, and its
    /// footer as a POSIX TZ rule on its own.
    public static func zoneInfo(_ bytes: [UInt8]) {
        if let zone = try? ZoneRules.parse(bytes, name: "fuzz") {
            for instant: Int64 in [Int64.min, -1, 0, 1_800_000_000, 4_102_444_800, Int64.max] {
                _ = zone.offset(at: instant)
                _ = zone.instant(ofLocal: instant)
            }
        }
        _ = PosixTimeZoneRule(String(decoding: bytes.prefix(256), as: UTF8.self))?.offset(at: 1_800_000_000)
    }

    /// What the API and the environment take: a posted silence, matchers in filter
    /// syntax (one per line, also as regular expressions matched against the body),
    /// maintenance entries and RFC 3339 times.
    public static func request(_ bytes: [UInt8]) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        if let posted = try? JSONDecoder().decode(AlertmanagerShapes.PostableSilence.self, from: Data(bytes)) {
            let api = SilenceAPI(keeper: nil, token: nil, staleAfter: .seconds(60), logger: .init(label: "fuzz"))
            _ = try? api.validated(posted, book: SilenceBook(), now: now)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n").prefix(20) {
            _ = try? LabelMatcher(parsing: String(line))
            _ = RFC3339.parse(String(line))
            if let regex = try? LinearRegex(String(line.prefix(LabelMatcher.maximumValueLength))) {
                _ = regex.wholeMatch(String(text.prefix(300)))
            }
        }
        _ = MaintenanceParser.parse(text, zoneDirectory: "/nonexistent")
    }
}
