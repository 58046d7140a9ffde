import FoundationEssentials
import Notify

/// `GET /api/watchdog/history` (SPEC §7, §14): the incidents of a period, newest first,
/// with the period's summary. `?since=` an RFC 3339 time or a duration back from now
/// (default: everything kept), `?key=` a key or a family, `?limit=` 1 to 1000 (default
/// 100). Pure: the incidents kept and `now` in, the answer out.
enum HistoryAPI {
    static let path = "/api/watchdog/history"
    static let defaultLimit = 100
    static let maximumLimit = 1_000

    struct Answer: Encodable {
        let from: Date
        let to: Date
        /// How many incidents the period and key hold, before the limit.
        let total: Int
        let summary: HistorySummary
        let incidents: [Incident]
    }

    /// A query's period, key and limit, or why it cannot be answered.
    struct Query: Equatable {
        var since: Date?
        var key: String?
        var limit: Int

        static func parse(_ query: String?, now: Date) -> Result<Query, SilenceError> {
            let parameters = QueryParameters(query)
            var parsed = Query(since: nil, key: nil, limit: defaultLimit)
            if let text = parameters.all("since").last, !text.isEmpty {
                if let date = RFC3339.parse(text) {
                    parsed.since = date
                } else if let back = ConfigValueParser.duration(text, bareUnitSeconds: 1), back > .zero {
                    parsed.since = now.addingTimeInterval(-min(back.seconds, 400 * 86_400))
                } else {
                    return .failure(
                        SilenceError(
                            "since: \"\(text.prefix(40))\" is neither an RFC 3339 time nor a duration such as 24h"))
                }
            }
            if let text = parameters.all("key").last, !text.isEmpty {
                guard text.utf8.count <= 512 else { return .failure(SilenceError("key: longer than 512 bytes")) }
                parsed.key = text
            }
            if let text = parameters.all("limit").last, !text.isEmpty {
                guard let limit = Int(text), (1...maximumLimit).contains(limit) else {
                    return .failure(
                        SilenceError("limit: \"\(text.prefix(20))\" is not a number from 1 to \(maximumLimit)"))
                }
                parsed.limit = limit
            }
            return .success(parsed)
        }
    }

    static func respond(query text: String?, incidents: [Incident], now: Date) -> EndpointResponse {
        switch Query.parse(text, now: now) {
        case .failure(let error):
            return .json(400, Endpoint.encode(["error": error.description]))
        case .success(let query):
            return .json(200, Endpoint.encode(answer(query, incidents: incidents, now: now)))
        }
    }

    static func answer(_ query: Query, incidents: [Incident], now: Date) -> Answer {
        let from = query.since ?? incidents.first?.startedAt ?? now
        var chosen = incidents
        if let key = query.key { chosen = chosen.filter { $0.key == key || $0.family == key } }
        chosen = HistorySummary.within(chosen, from: from, to: now)
        return Answer(
            from: from, to: now, total: chosen.count, summary: HistorySummary.of(chosen, from: from, to: now),
            incidents: Array(chosen.reversed().prefix(query.limit)))
    }
}
