import Foundation
import Synchronization

/// A local server that behaves like PagerDuty's Events API v2 (`POST /v2/enqueue`), from
/// PagerDuty's documentation (not from the watchdog's code): a `routing_key` that is not
/// 32 characters, or not a known integration, a missing or unknown `event_action`, a
/// `trigger` without `payload.summary`, `payload.source` or a valid `payload.severity`,
/// or a `resolve` without `dedup_key` is 400 `invalid event` with the errors listed; a
/// good event is 202 with its `dedup_key`. Incidents are kept by `dedup_key`: a trigger
/// opens one (or is deduplicated into the open one), a resolve closes it. Scripted
/// faults: 429 `throttle event`, a 5xx.
public final class PagerDutyStandIn: Sendable {
    public enum Fault: Sendable {
        case throttled
        case serverError(Int)
    }

    public struct Event: Sendable {
        public let action: String
        public let dedupKey: String
        public let summary: String?
        public let severity: String?
        public let source: String?
        public let detailsJSON: String
    }

    public struct Incident: Sendable, Equatable {
        public let dedupKey: String
        public var open: Bool
        public var triggers: Int

        public init(dedupKey: String, open: Bool, triggers: Int) {
            self.dedupKey = dedupKey
            self.open = open
            self.triggers = triggers
        }
    }

    struct State {
        var faults: [Fault] = []
        var events: [Event] = []
        var incidents: [Incident] = []
    }

    public let routingKey: String
    public let server: StubHTTPServer
    private let state = Mutex(State())
    public var apiBaseURL: String { server.baseURL }
    public var events: [Event] { state.withLock { $0.events } }
    public var incidents: [Incident] { state.withLock { $0.incidents } }

    private init(routingKey: String, server: StubHTTPServer) {
        self.routingKey = routingKey
        self.server = server
    }

    public static func start(routingKey: String) async throws -> PagerDutyStandIn {
        let box = Mutex<PagerDutyStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in box.withLock { $0 }!.respond(to: request) }
        let standIn = PagerDutyStandIn(routingKey: routingKey, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    public func stop() async { await server.stop() }

    static func invalid(_ errors: [String]) -> StubResponse {
        let list = errors.map { "\"\($0)\"" }.joined(separator: ",")
        return .json(400, #"{"status":"invalid event","message":"Event object is invalid","errors":[\#(list)]}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        guard request.method == "POST", request.uri == "/v2/enqueue" else {
            return .json(404, #"{"status":"not found","message":"Not Found"}"#)
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .throttled:
            return .json(
                429,
                #"{"status":"throttle event","message":"Requests for this service are arriving too quickly. Please retry later."}"#
            )
        case .serverError(let status): return .text(status, "Service Unavailable")
        case nil: break
        }
        guard let body = request.json() else { return Self.invalid(["Event object is not valid JSON"]) }
        let key = body["routing_key"] as? String ?? ""
        guard key.count == 32 else {
            return Self.invalid(["Length of 'routing_key' is incorrect (should be 32 characters)"])
        }
        guard key == routingKey else { return Self.invalid(["'routing_key' is not a known integration key"]) }
        let action = body["event_action"] as? String ?? ""
        guard ["trigger", "acknowledge", "resolve"].contains(action) else {
            return Self.invalid(["'event_action' is missing or blank"])
        }
        let payload = body["payload"] as? [String: Any] ?? [:]
        var dedup = body["dedup_key"] as? String ?? ""
        if action == "trigger" {
            var errors: [String] = []
            if (payload["summary"] as? String ?? "").isEmpty { errors.append("'payload.summary' is missing or blank") }
            if (payload["source"] as? String ?? "").isEmpty { errors.append("'payload.source' is missing or blank") }
            if !["critical", "error", "warning", "info"].contains(payload["severity"] as? String ?? "") {
                errors.append("'payload.severity' is missing or blank")
            }
            guard errors.isEmpty else { return Self.invalid(errors) }
            if dedup.isEmpty { dedup = UUID().uuidString.lowercased() }
        } else if dedup.isEmpty {
            return Self.invalid(["'dedup_key' is missing or blank"])
        }
        let details =
            (payload["custom_details"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let event = Event(
            action: action, dedupKey: dedup, summary: payload["summary"] as? String,
            severity: payload["severity"] as? String, source: payload["source"] as? String, detailsJSON: details)
        state.withLock { state in
            state.events.append(event)
            let open = state.incidents.firstIndex { $0.dedupKey == dedup && $0.open }
            switch action {
            case "trigger":
                if let open {
                    state.incidents[open].triggers += 1
                } else {
                    state.incidents.append(Incident(dedupKey: dedup, open: true, triggers: 1))
                }
            case "resolve":
                if let open { state.incidents[open].open = false }
            default: break
            }
        }
        return .json(202, #"{"status":"success","message":"Event processed","dedup_key":"\#(dedup)"}"#)
    }
}
