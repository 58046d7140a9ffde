import AsyncHTTPClient
import Logging
import NIOCore
import OutboundHTTP

/// The outbound dead-man's switch (`WATCHDOG_HEARTBEAT_URL`, healthchecks.io style): a
/// GET after every completed tick, so an outside service notices when the watchdog
/// itself stops.
///
/// A ping never delays the next tick: it runs on its own, bounded by the HTTP timeout,
/// and while one is still in flight the next tick's ping is skipped instead of piling up.
/// The URL is a secret: it is scrubbed from every log line.
public actor HeartbeatPinger {
    private let url: String
    private let timeout: Duration
    private let logger: Logger
    private var inFlight = false
    private var lastFailure: String?
    public private(set) var sent = 0
    public private(set) var skipped = 0

    public init(url: String, timeout: Duration, logger: Logger) {
        self.url = url
        self.timeout = timeout
        self.logger = logger
    }

    /// Starts a ping unless one is still running; returns at once.
    public func tickCompleted() {
        guard !inFlight else {
            skipped += 1
            return
        }
        inFlight = true
        Task { await self.ping() }
    }

    private func ping() async {
        var request = HTTPExchange.Request(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "watchdog")
        let failure: String?
        switch await HTTPExchange.perform(request, timeout: timeout, bodyLimit: 64 * 1024) {
        case .success(let response):
            failure = (200..<300).contains(response.status) ? nil : "status \(response.status)"
        case .failure(let error):
            failure = HTTPPost.redact(error.description, secrets: [url])
        }
        sent += 1
        inFlight = false
        if let failure, failure != lastFailure {
            logger.warning("heartbeat ping failed", metadata: ["error": "\(failure)"])
        } else if failure == nil, lastFailure != nil {
            logger.notice("heartbeat ping works again")
        }
        lastFailure = failure
    }
}
