import FoundationEssentials

/// One entry of `WATCHDOG_DEPS`: a name and what to probe.
public struct DependencyTarget: Sendable, Equatable {
    public enum Probe: Sendable, Equatable {
        /// GET; success is a 2xx/3xx, or exactly `expectedStatus` (`#status=204`).
        case http(url: String, expectedStatus: Int?)
        case tcp(host: String, port: Int)
    }

    public let name: String
    public let probe: Probe
    /// The URL as it may be shown: no credentials, no query, no fragment.
    public let shownURL: String

    /// The host it probes, lowercased: a container that answers to it takes it down with
    /// it (SPEC §4.2).
    public var host: String {
        switch probe {
        case .http(let url, _): (URLComponents(string: url)?.host ?? "").lowercased()
        case .tcp(let host, _): host.lowercased()
        }
    }

    public init(name: String, probe: Probe, shownURL: String) {
        self.name = name
        self.probe = probe
        self.shownURL = shownURL
    }

    /// Parses `url` for dependency `name`; the error says what is wrong without
    /// repeating the URL (it may hold a secret).
    public static func parse(name: String, url raw: String) throws(CollectorError) -> DependencyTarget {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw CollectorError("dependency name \"\(name.prefix(40))\" may only use letters, digits, - _ .")
        }
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw CollectorError("dependency \(name): not a URL with a host")
        }
        var shown = URLComponents()
        shown.scheme = scheme
        shown.host = host
        shown.port = components.port
        shown.path = components.path
        let shownURL = shown.string ?? "\(scheme)://\(host)"
        switch scheme {
        case "http", "https":
            var expected: Int?
            if let fragment = components.fragment {
                guard fragment.hasPrefix("status="), let status = Int(fragment.dropFirst(7)),
                    (100...599).contains(status)
                else {
                    throw CollectorError("dependency \(name): the fragment must be #status=NNN")
                }
                expected = status
            }
            var request = components
            request.fragment = nil
            return DependencyTarget(
                name: name, probe: .http(url: request.string ?? raw, expectedStatus: expected), shownURL: shownURL)
        case "tcp":
            guard let port = components.port, (1...65_535).contains(port) else {
                throw CollectorError("dependency \(name): tcp:// needs a port")
            }
            return DependencyTarget(name: name, probe: .tcp(host: host, port: port), shownURL: shownURL)
        default:
            throw CollectorError("dependency \(name): scheme must be http, https or tcp")
        }
    }
}
