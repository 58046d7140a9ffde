import FoundationEssentials
import Logging
import Notify

/// The Alertmanager-compatible routes of SPEC §7: `GET /api/v2/alerts`,
/// `GET /api/v2/silences`, `GET /api/v2/silence/{id}`, `POST /api/v2/silences` and
/// `DELETE /api/v2/silence/{id}`, so `amtool` works against the watchdog unchanged.
///
/// Reads need no token (like `/alerts`). Writes need `Authorization: Bearer` with
/// `WATCHDOG_API_TOKEN`, compared in constant time, and are checked before the body is
/// looked at: 403 when no token is configured, 401 for a missing or wrong one.
/// Errors are JSON strings, as Alertmanager answers them, so `amtool` prints the reason.
public struct SilenceAPI: Sendable {
    let keeper: (any SilenceKeeper)?
    let token: Secret?
    /// An alert's `endsAt`: when it would count as over if the watchdog stopped answering.
    let staleAfter: Duration
    let logger: Logger

    /// A body larger than this is refused before it is parsed.
    public static let maximumBodyBytes = 64 * 1024

    public init(keeper: (any SilenceKeeper)?, token: Secret?, staleAfter: Duration, logger: Logger) {
        self.keeper = keeper
        self.token = token
        self.staleAfter = staleAfter
        self.logger = logger
    }

    /// nil: not one of these routes.
    func respond(to request: EndpointRequest, snapshot: WatchdogStatus.Snapshot, now: Date) async -> EndpointResponse? {
        let silencePrefix = "/api/v2/silence/"
        switch (request.method, request.path) {
        case ("GET", "/api/v2/alerts"):
            return alerts(snapshot, query: QueryParameters(request.query), now: now)
        case ("GET", "/api/v2/silences"):
            return silences(snapshot, query: QueryParameters(request.query), now: now)
        case ("GET", let path) where path.hasPrefix(silencePrefix):
            let id = String(path.dropFirst(silencePrefix.count))
            guard let silence = all(snapshot, now: now).first(where: { $0.id == id }) else {
                return Self.error(404, "silence \(id.prefix(80)) not found")
            }
            return .json(200, Endpoint.encode(AlertmanagerShapes.gettable(silence, now: now)))
        case ("POST", "/api/v2/silences"):
            if let refusal = refusal(request) { return refusal }
            return await create(request.body, snapshot: snapshot, now: now)
        case ("POST", Self.ackPath):
            if let refusal = refusal(request) { return refusal }
            return await acknowledge(request.body, snapshot: snapshot, now: now)
        case ("DELETE", let path) where path.hasPrefix(silencePrefix):
            if let refusal = refusal(request) { return refusal }
            return await expire(String(path.dropFirst(silencePrefix.count)), snapshot: snapshot, now: now)
        default:
            return nil
        }
    }

    // MARK: reads

    /// Every silence as the API lists it; a maintenance window by its current or next
    /// occurrence.
    private func all(_ snapshot: WatchdogStatus.Snapshot, now: Date) -> [Silence] {
        snapshot.configured.standing + snapshot.configured.maintenance.map { $0.listed(at: now) }
            + snapshot.book.silences
    }

    private func alerts(_ snapshot: WatchdogStatus.Snapshot, query: QueryParameters, now: Date) -> EndpointResponse {
        let filters: [CompiledMatcher]
        do {
            filters = try query.filters()
        } catch {
            return Self.error(400, error.reason)
        }
        let showActive = query.flag("active") ?? true
        let showSilenced = query.flag("silenced") ?? true
        let showInhibited = query.flag("inhibited") ?? true
        let inForce = SilenceSet(snapshot.silencesInForce(at: now))
        let ends = RFC3339.format(now.addingTimeInterval(staleAfter.seconds))
        let alerts = snapshot.alerts.filter { $0.value.state.firing || $0.value.state.isFlapping }
            .sorted { $0.key < $1.key }
            .compactMap { key, tracked -> AlertmanagerShapes.GettableAlert? in
                let labels = SilenceSet.labels(of: key, severity: tracked.signal.severity, instance: snapshot.instance)
                guard filters.allSatisfy({ $0.matches(labels) }) else { return nil }
                let silencedBy = inForce.silencing(labels)
                let inhibitedBy = tracked.inhibition?.causes.map(\.description) ?? []
                // As Alertmanager filters: each flag drops the alerts in that state.
                if !silencedBy.isEmpty, !showSilenced { return nil }
                if !inhibitedBy.isEmpty, !showInhibited { return nil }
                if silencedBy.isEmpty, inhibitedBy.isEmpty, !showActive { return nil }
                var annotations = ["summary": tracked.signal.title, "description": tracked.signal.detail]
                if let acknowledgement = snapshot.book.acknowledgements[key] {
                    annotations["acknowledged_by"] = acknowledgement.by
                }
                if let escalation = tracked.escalation {
                    // Annotations are free text to Alertmanager's clients: amtool shows them as they are.
                    let view = EscalationView(
                        escalation, policy: snapshot.escalation, matches: snapshot.escalation.matches(labels))
                    annotations["escalation_tier"] = String(view.tier)
                    if !view.told.isEmpty { annotations["escalated_to"] = view.told.joined(separator: ",") }
                    if let next = view.nextAt { annotations["escalation_next_at"] = RFC3339.format(next) }
                    if let stopped = view.stopped { annotations["escalation_stopped"] = stopped }
                }
                let since = tracked.state.since ?? now
                return AlertmanagerShapes.GettableAlert(
                    labels: labels, annotations: annotations, startsAt: RFC3339.format(since), endsAt: ends,
                    updatedAt: RFC3339.format(tracked.state.lastNotified ?? since),
                    fingerprint: WebhookPayload.fingerprint(labels), receivers: [.init(name: "watchdog")],
                    status: .init(
                        state: silencedBy.isEmpty && inhibitedBy.isEmpty ? "active" : "suppressed",
                        silencedBy: silencedBy, inhibitedBy: inhibitedBy,
                        mutedBy: []),
                    generatorURL: "")
            }
        return .json(200, Endpoint.encode(alerts))
    }

    private func silences(_ snapshot: WatchdogStatus.Snapshot, query: QueryParameters, now: Date) -> EndpointResponse {
        let filters: [CompiledMatcher]
        do {
            filters = try query.filters()
        } catch {
            return Self.error(400, error.reason)
        }
        // As Alertmanager filters silences: the filter must match the labels the
        // silence's own matchers name.
        let listed = all(snapshot, now: now).filter { silence in
            let labels = Dictionary(silence.matchers.map { ($0.name, $0.value) }) { first, _ in first }
            return filters.allSatisfy { $0.matches(labels) }
        }
        func rank(_ silence: Silence) -> Int {
            switch silence.state(at: now) {
            case .active: 0
            case .pending: 1
            case .expired: 2
            }
        }
        let ordered = listed.sorted { lhs, rhs in
            if rank(lhs) != rank(rhs) { return rank(lhs) < rank(rhs) }
            switch lhs.state(at: now) {
            case .active: return (lhs.endsAt ?? .distantFuture, lhs.id) < (rhs.endsAt ?? .distantFuture, rhs.id)
            case .pending: return (lhs.startsAt, lhs.id) < (rhs.startsAt, rhs.id)
            case .expired: return (lhs.endsAt ?? now, lhs.id) > (rhs.endsAt ?? now, rhs.id)
            }
        }
        return .json(200, Endpoint.encode(ordered.map { AlertmanagerShapes.gettable($0, now: now) }))
    }

    // MARK: writes

    /// nil when the request may write.
    private func what(_ request: EndpointRequest) -> String {
        request.path == Self.ackPath ? "acknowledgement" : "silence change"
    }

    private func refusal(_ request: EndpointRequest) -> EndpointResponse? {
        guard let token else {
            logger.warning(
                "\(what(request)) refused: WATCHDOG_API_TOKEN is not set",
                metadata: ["method": "\(request.method)", "path": "\(request.path.prefix(120))"])
            return Self.error(
                403,
                "\(request.path == Self.ackPath ? "acknowledging" : "changing silences") needs WATCHDOG_API_TOKEN to be set on the watchdog"
            )
        }
        guard Endpoint.presentsBearer(token.value, in: request) else {
            logger.warning(
                "\(what(request)) refused: missing or wrong token",
                metadata: ["method": "\(request.method)", "path": "\(request.path.prefix(120))"])
            return Self.error(401, "missing or wrong bearer token")
        }
        return nil
    }

    /// `POST /api/watchdog/ack` (SPEC §4.3, §7).
    public static let ackPath = "/api/watchdog/ack"

    /// The body of an acknowledgement: which key, and who acknowledges it.
    struct PostableAcknowledgement: Decodable {
        let key: String
        let by: String
    }

    /// `{"key": "dependency_down:db", "by": "alice"}`: the same acknowledgement as the
    /// chat's, from anywhere that holds the token. 404 when the key is not firing.
    private func acknowledge(_ body: [UInt8]?, snapshot: WatchdogStatus.Snapshot, now: Date) async -> EndpointResponse {
        guard let keeper else { return Self.error(503, "acknowledgements cannot be made in this mode") }
        guard let body, !body.isEmpty, body.count <= Self.maximumBodyBytes else {
            return Self.error(400, "send {\"key\": \"...\", \"by\": \"...\"} of at most \(Self.maximumBodyBytes) bytes")
        }
        guard let posted = try? JSONDecoder().decode(PostableAcknowledgement.self, from: Data(body)) else {
            return Self.error(400, "the body is not {\"key\": \"...\", \"by\": \"...\"}")
        }
        let by = posted.by.trimmingSpaces()
        guard !by.isEmpty, by.count <= Silence.maximumTextLength else {
            return Self.error(400, "by must say who acknowledges, in at most \(Silence.maximumTextLength) characters")
        }
        guard let key = SignalKey(parsing: posted.key.trimmingSpaces()), key.entity?.contains("*") != true else {
            return Self.error(400, "\"\(posted.key.prefix(80))\" is not a signal key such as dependency_down:db")
        }
        guard await keeper.acknowledge(key, by: by, via: "api", now: now) else {
            return Self.error(404, "\(key) is not firing")
        }
        logger.notice("acknowledged from the API", metadata: ["key": "\(key)", "by": "\(by)"])
        return .json(
            200, Endpoint.encode(["key": key.description, "acknowledged_by": by, "at": RFC3339.format(now)]))
    }

    private func create(_ body: [UInt8]?, snapshot: WatchdogStatus.Snapshot, now: Date) async -> EndpointResponse {
        guard let keeper else { return Self.error(503, "silences cannot be changed in this mode") }
        guard let body, !body.isEmpty else { return Self.error(400, "the body is empty; send a silence as JSON") }
        guard body.count <= Self.maximumBodyBytes else {
            return Self.error(400, "the body is over \(Self.maximumBodyBytes) bytes")
        }
        guard let posted = try? JSONDecoder().decode(AlertmanagerShapes.PostableSilence.self, from: Data(body)) else {
            return Self.error(400, "the body is not a silence in Alertmanager's JSON shape")
        }
        let silence: Silence
        do {
            silence = try validated(posted, book: snapshot.book, now: now)
        } catch {
            let status = error.reason.hasPrefix("silence not found") ? 404 : 400
            return Self.error(status, error.reason)
        }
        do {
            let book = try await keeper.upsert(silence, now: now)
            logger.notice(
                "silence saved",
                metadata: [
                    "id": "\(silence.id)", "by": "\(silence.createdBy)",
                    "matchers": "\(silence.matchers.map(\.description).joined(separator: ","))",
                    "ends": "\(silence.endsAt.map(RFC3339.format) ?? "never")", "silences": "\(book.silences.count)",
                ])
        } catch {
            return Self.error(400, error.reason)
        }
        return .json(200, Endpoint.encode(["silenceID": silence.id]))
    }

    /// A posted silence checked as Alertmanager checks it, plus the watchdog's bounds.
    func validated(_ posted: AlertmanagerShapes.PostableSilence, book: SilenceBook, now: Date) throws(SilenceError)
        -> Silence
    {
        guard let matchers = posted.matchers, !matchers.isEmpty else {
            throw SilenceError("at least one matcher is needed")
        }
        // Before parsing them: a body may hold thousands (the constructor checks again).
        guard matchers.count <= Silence.maximumMatchers else {
            throw SilenceError("at most \(Silence.maximumMatchers) matchers")
        }
        var checked: [LabelMatcher] = []
        for matcher in matchers { checked.append(try matcher.labelMatcher()) }
        let createdBy = (posted.createdBy ?? "").trimmingSpaces()
        let comment = (posted.comment ?? "").trimmingSpaces()
        guard let startsText = posted.startsAt, let postedStart = RFC3339.parse(startsText) else {
            throw SilenceError("startsAt is missing or not an RFC 3339 time")
        }
        guard let endsText = posted.endsAt, let endsAt = RFC3339.parse(endsText) else {
            throw SilenceError("endsAt is missing or not an RFC 3339 time")
        }
        // Alertmanager starts a silence posted with a past start now.
        let startsAt = max(postedStart, now)
        guard endsAt > now else { throw SilenceError("endsAt is in the past") }

        var id = UUID().uuidString.lowercased()
        if let existing = posted.id?.trimmingSpaces(), !existing.isEmpty {
            if Self.isConfigured(existing) {
                throw SilenceError("silence \(existing) comes from the environment; change the variable to change it")
            }
            guard let current = book.silences.first(where: { $0.id == existing }) else {
                throw SilenceError("silence not found: \(existing.prefix(80))")
            }
            // An expired silence is not revived: Alertmanager makes a new one.
            if current.state(at: now) != .expired { id = existing }
        }
        return try Silence(
            id: id, matchers: checked, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment,
            origin: .api, updatedAt: now)
    }

    private func expire(_ id: String, snapshot: WatchdogStatus.Snapshot, now: Date) async -> EndpointResponse {
        guard let keeper else { return Self.error(503, "silences cannot be changed in this mode") }
        if Self.isConfigured(id) {
            return Self.error(400, "silence \(id) comes from the environment; change the variable to lift it")
        }
        guard await keeper.expire(id: id, now: now) != nil else {
            return Self.error(404, "silence \(id.prefix(80)) not found")
        }
        logger.notice("silence expired", metadata: ["id": "\(id)"])
        return EndpointResponse(status: 200, contentType: "application/json", body: "")
    }

    /// Standing and scheduled silences are configuration: listed, never changed here.
    static func isConfigured(_ id: String) -> Bool {
        id.hasPrefix("mute-") || id.hasPrefix("maintenance-")
    }

    static func error(_ status: Int, _ reason: String) -> EndpointResponse {
        .json(status, Endpoint.encode(reason))
    }
}

/// A query string's parameters, percent-decoded (`+` is a space), bounded.
struct QueryParameters {
    /// Every `filter` parameter, as Alertmanager's matchers (`amtool --filter`, `alert
    /// query MATCHER`); one that does not parse is the request's error.
    func filters() throws(SilenceError) -> [CompiledMatcher] {
        try all("filter").map { text throws(SilenceError) in CompiledMatcher(try LabelMatcher(parsing: text)) }
    }

    private var pairs: [(String, String)] = []

    init(_ query: String?) {
        for part in (query ?? "").split(separator: "&").prefix(100) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(pieces[0]), pieces.count > 1 ? Self.decode(pieces[1]) : ""))
        }
    }

    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// `true`/`false`; nil when absent or neither.
    func flag(_ name: String) -> Bool? {
        switch all(name).last?.lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = low
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
