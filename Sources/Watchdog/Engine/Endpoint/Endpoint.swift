import FoundationEssentials
import FoundationGaps
import Notify

/// An HTTP request as the endpoint sees it: what routing and the tokens need, and the
/// body only where a route takes one (`POST /api/v2/silences`), read up to a bound.
public struct EndpointRequest: Sendable {
    public var method: String
    /// The path without the query.
    public var path: String
    /// The raw query string, without `?`.
    public var query: String?
    public var authorization: String?
    /// nil when not read; more than `SilenceAPI.maximumBodyBytes` when it was too long.
    public var body: [UInt8]?
    /// The peer's address, for the Ack links' limit on failed tries.
    public var client: String?

    public init(
        method: String, path: String, query: String? = nil, authorization: String? = nil, body: [UInt8]? = nil,
        client: String? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.authorization = authorization
        self.body = body
        self.client = client
    }

    /// Only these routes read a body.
    public static func takesBody(method: String, path: String) -> Bool {
        method.uppercased() == "POST" && (path == "/api/v2/silences" || path == SilenceAPI.ackPath)
    }
}

public struct EndpointResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    static func json(_ status: Int, _ body: String) -> EndpointResponse {
        EndpointResponse(status: status, contentType: "application/json", body: body)
    }

    static let notFound = json(404, #"{"error":"not found"}"#)
}

/// The routes of SPEC §7, independent of the HTTP server that carries them. Answers only
/// these routes; 404 for anything else, wrong methods included. Nothing it returns holds
/// a secret: alert details are already redacted by their sources, and the ping token is
/// only ever compared.
public struct Endpoint: Sendable {
    let status: WatchdogStatus
    let metrics: WatchdogMetrics
    let heartbeats: HeartbeatBoard?
    let pingToken: Secret?
    let staleAfter: Duration
    let channelStatistics: @Sendable () async -> [ChannelStatistics]
    /// When a ping arrived, for the heartbeat source to compare with the tick's `now`.
    let wallClock: @Sendable () -> Date
    /// For the last tick's age: the clock `WatchdogStatus.recordTick` is given instants of.
    let monotonicNow: @Sendable () -> ContinuousClock.Instant
    /// The Alertmanager-compatible routes; nil answers them 404.
    let silenceAPI: SilenceAPI?
    /// The Ack links (`WATCHDOG_PUBLIC_URL`); nil answers them 404.
    let ackLinks: AckLinkAPI?
    /// `GET /` (`WATCHDOG_STATUS_PAGE`); nil answers it 404.
    let statusPage: StatusPageSettings?

    public init(
        status: WatchdogStatus, metrics: WatchdogMetrics, heartbeats: HeartbeatBoard?, pingToken: Secret?,
        staleAfter: Duration, channelStatistics: @escaping @Sendable () async -> [ChannelStatistics],
        wallClock: @escaping @Sendable () -> Date, monotonicNow: @escaping @Sendable () -> ContinuousClock.Instant,
        silenceAPI: SilenceAPI? = nil, ackLinks: AckLinkAPI? = nil, statusPage: StatusPageSettings? = nil
    ) {
        self.statusPage = statusPage
        self.silenceAPI = silenceAPI
        self.ackLinks = ackLinks
        self.status = status
        self.metrics = metrics
        self.heartbeats = heartbeats
        self.pingToken = pingToken
        self.staleAfter = staleAfter
        self.channelStatistics = channelStatistics
        self.wallClock = wallClock
        self.monotonicNow = monotonicNow
    }

    public func respond(to request: EndpointRequest) async -> EndpointResponse {
        if request.path.hasPrefix("/api/v2/") || request.path == SilenceAPI.ackPath, let silenceAPI,
            let answer = await silenceAPI.respond(to: request, snapshot: status.snapshot(), now: wallClock())
        {
            return answer
        }
        if let ackLinks,
            let answer = await ackLinks.respond(
                to: request, snapshot: status.snapshot(), now: wallClock(), monotonic: monotonicNow())
        {
            return answer
        }
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            return health()
        case ("GET", "/metrics"):
            metrics.record(await channelStatistics())
            metrics.recordSilences(active: status.snapshot().silencesInForce(at: wallClock()).count)
            return EndpointResponse(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        case ("GET", "/alerts"):
            return .json(200, Self.encode(FiringAlert.list(from: status.snapshot(), now: wallClock())))
        case ("GET", "/"):
            guard let statusPage else { return .notFound }
            let page = StatusPage(
                snapshot: status.snapshot(), incidents: await status.history?.all() ?? [], now: wallClock(),
                texts: statusPage.texts, refreshSeconds: statusPage.refreshSeconds)
            return EndpointResponse(status: 200, contentType: "text/html; charset=utf-8", body: page.render())
        case ("GET", HistoryAPI.path):
            return HistoryAPI.respond(
                query: request.query, incidents: await status.history?.all() ?? [], now: wallClock())
        case ("GET", let path), ("POST", let path):
            guard path.hasPrefix("/ping/") else { return .notFound }
            return ping(name: String(path.dropFirst("/ping/".count)), request: request)
        default:
            return .notFound
        }
    }

    private func health() -> EndpointResponse {
        let age = status.snapshot().lastTickFinished.map { $0.duration(to: monotonicNow()) }
        let answer = HealthAnswer(lastTickAge: age, staleAfter: staleAfter)
        return .json(answer.isHealthy ? 200 : 503, Self.encode(answer))
    }

    /// The token is checked before the name, so without it nobody learns which names exist.
    private func ping(name: String, request: EndpointRequest) -> EndpointResponse {
        if let pingToken, !Self.presentsToken(pingToken.value, in: request) {
            return .json(401, #"{"error":"missing or wrong token"}"#)
        }
        guard let heartbeats, heartbeats.record(name) else { return .notFound }
        return .json(200, #"{"status":"ok"}"#)
    }

    /// `Authorization: Bearer <token>` or `?token=<token>`, compared in constant time.
    static func presentsToken(_ token: String, in request: EndpointRequest) -> Bool {
        var presented: [String] = []
        if let header = request.authorization {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                presented.append(parts[1].trimmingSpaces())
            }
        }
        for pair in (request.query ?? "").split(separator: "&") where pair.hasPrefix("token=") {
            let raw = pair.dropFirst("token=".count)
            presented.append(PercentEncoding.decode(raw) ?? String(raw))
        }
        return presented.contains { constantTimeEqual($0, token) }
    }

    /// `Authorization: Bearer <token>` only, compared in constant time: the API's writes
    /// take no token in the query, where it would end up in proxies' logs.
    static func presentsBearer(_ token: String, in request: EndpointRequest) -> Bool {
        presentsToken(
            token, in: EndpointRequest(method: request.method, path: request.path, authorization: request.authorization)
        )
    }

    /// Equal strings, in time that depends only on the presented length.
    static func constantTimeEqual(_ presented: String, _ expected: String) -> Bool {
        let lhs = Array(presented.utf8)
        let rhs = Array(expected.utf8)
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in lhs.indices {
            difference |= lhs[index] ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return #"{"error":"encoding failed"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
