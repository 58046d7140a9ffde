/// One environment variable the watchdog reads: its name, what values it takes, its
/// default, whether it is secret, and the sentence docs/configuration.md shows.
///
/// `ConfigVariable.all` is the one list of every variable. The table in docs/configuration.md and
/// `.env.example` are checked against it by tests, so documentation cannot drift.
public struct ConfigVariable: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A length of time; 0 allowed only when `minimum` is zero.
        case duration(minimum: Duration)
        case count(ClosedRange<Int>)
        case percent
        case flag
        case text
        case choice([String])
        case list
        /// `host:port`, `[v6]:port`, or `off`.
        case listenAddress
        /// An `http://` or `https://` URL.
        case url
        /// One or more `http://` or `https://` URLs, comma-separated.
        case urlList
        /// A list of signal families or keys.
        case signalKeys
        /// A channel given as a URL in Apprise's syntax (SPEC §5.1).
        case channelURL
    }

    public let name: String
    public let kind: Kind
    /// The text parsed when the variable is unset; nil when computed at start-up.
    public let defaultValue: String?
    /// The default as docs/configuration.md shows it.
    public let documentedDefault: String
    /// The value the image and the shipped compose file set (nil: the default).
    public let containerValue: String?
    public let isSecret: Bool
    public let summary: String

    public init(
        _ name: String, _ kind: Kind, default defaultValue: String?, inContainer containerValue: String? = nil,
        documented: String? = nil, secret: Bool = false, _ summary: String
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.containerValue = containerValue
        self.documentedDefault = documented ?? defaultValue ?? ""
        self.isSecret = secret
        self.summary = summary
    }

    /// For a family of variables named by the operator (`WATCHDOG_NOTIFY_<NAME>`): the
    /// prefix every member starts with (`WATCHDOG_NOTIFY_`); nil for a single variable.
    public var familyPrefix: String? {
        name.hasSuffix("<NAME>") ? String(name.dropLast("<NAME>".count)) : nil
    }

    /// Whether `candidate` is this variable or, for a family, one of its members: the
    /// prefix and a name of letters, digits and `_` (not ending in `_FILE`, which reads
    /// a secret from a file).
    public func names(_ candidate: String) -> Bool {
        guard let prefix = familyPrefix else { return candidate == name }
        guard candidate.hasPrefix(prefix), !candidate.hasSuffix("_FILE") else { return false }
        return Self.isMemberName(candidate.dropFirst(prefix.count))
    }

    /// A family member's name: letters, digits and `_`, at most 64 characters.
    static func isMemberName(_ member: Substring) -> Bool {
        !member.isEmpty && member.utf8.count <= 64
            && member.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            }
    }

    /// A bare number is minutes in a `_MIN` variable and seconds everywhere else
    /// (SPEC §2: names kept for existing deployments).
    public var bareNumberUnitSeconds: Double {
        name.hasSuffix("_MIN") ? 60 : 1
    }

    /// What a valid value looks like, for error messages.
    public var expected: String {
        switch kind {
        case .duration(let minimum):
            let unit = bareNumberUnitSeconds == 60 ? "minutes" : "seconds"
            let floor =
                minimum == .zero
                ? "0 or more" : "at least \(DurationFormat.text(minimum))"
            return "a duration such as 45s, 15m, 2h or 1d (a bare number is \(unit)), \(floor)"
        case .count(let range):
            return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .percent:
            return "a percentage from 0 to 100"
        case .flag:
            return "true/false, 1/0, yes/no or on/off"
        case .text where name == "WATCHDOG_TELEGRAM_CHAT_ID":
            return "a numeric chat id such as -1001234567890, or @channelname"
        case .text where name == "WATCHDOG_FLAP":
            return "a count of state changes and a window, such as 6/30m, or off"
        case .text where name == "WATCHDOG_RESTART_LOOP":
            return "a restart count, optionally with a window: 3 or 3/10m"
        case .text where isSecret:
            return "a token without spaces or slashes"
        case .text:
            return "text"
        case .choice(let options):
            return "one of " + options.joined(separator: ", ")
        case .list:
            return "a comma-separated list"
        case .listenAddress:
            return "host:port (for example 127.0.0.1:9099 or [::]:9099) or off"
        case .url:
            return "an http:// or https:// URL"
        case .urlList:
            return "one or more http:// or https:// URLs, comma-separated"
        case .signalKeys:
            return "a comma-separated list of signal families or keys, e.g. container_down:db,proc_blocking"
        case .channelURL:
            return "a channel URL in Apprise's syntax, such as discord://ID/TOKEN or ntfys://ntfy.sh/TOPIC"
        }
    }
}
