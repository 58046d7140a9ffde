import Foundation
import Synchronization

/// A local server that behaves like Pushover's message API, from Pushover's
/// documentation (not from the watchdog's code): `POST /1/messages.json`, form-encoded,
/// with the application `token` and the `user` key (each checked: 400 with Pushover's
/// `errors` and `status: 0`); a blank `message`, one over 1,024 characters, a title
/// over 250, or an emergency (priority 2) without `retry` ≥ 30 and `expire` ≤ 10,800 is
/// 400; a good message `{"status": 1, "request": …}`, with a `receipt` for an emergency.
/// `POST /1/receipts/{receipt}/cancel.json` stops an emergency (an unknown receipt is
/// 400). `GET /1/receipts/{receipt}.json?token=…` says whether an emergency was
/// acknowledged (`acknowledge(_:by:device:)` plays the person on the phone) or expired,
/// with the fields of Pushover's receipts API; an unknown receipt or token is 400.
/// Scripted faults: 429 (the application is over its quota), a 5xx.
public final class PushoverStandIn: Sendable {
    public enum Fault: Sendable {
        case overQuota
        case serverError(Int)
    }

    public struct Message: Sendable, Equatable {
        public let title: String?
        public let message: String
        public let priority: Int
        public let receipt: String?
        public let device: String?
    }

    struct State {
        var faults: [Fault] = []
        var messages: [Message] = []
        var cancelled: [String] = []
        /// Per receipt: who acknowledged it, on which device, when.
        var acknowledged: [String: (by: String, device: String, at: Int)] = [:]
        var expired: Set<String> = []
        var receiptQueries = 0
    }

    public let appToken: String
    public let userKey: String
    public let server: StubHTTPServer
    private let state = Mutex(State())
    public var apiBaseURL: String { server.baseURL }
    public var messages: [Message] { state.withLock { $0.messages } }
    public var cancelled: [String] { state.withLock { $0.cancelled } }

    private init(appToken: String, userKey: String, server: StubHTTPServer) {
        self.appToken = appToken
        self.userKey = userKey
        self.server = server
    }

    public static func start(appToken: String, userKey: String) async throws -> PushoverStandIn {
        let box = Mutex<PushoverStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in box.withLock { $0 }!.respond(to: request) }
        let standIn = PushoverStandIn(appToken: appToken, userKey: userKey, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }

    /// Someone acknowledges the emergency of this receipt in the app.
    public func acknowledge(_ receipt: String, by user: String, device: String) {
        state.withLock { $0.acknowledged[receipt] = (user, device, 1_800_000_100) }
    }

    public func expire(_ receipt: String) { state.withLock { _ = $0.expired.insert(receipt) } }

    /// How many times a receipt was asked about.
    public var receiptQueries: Int { state.withLock { $0.receiptQueries } }
    public func stop() async { await server.stop() }

    static func refused(_ field: String, _ value: String, _ error: String, status: Int = 400) -> StubResponse {
        .json(status, #"{"\#(field)":"\#(value)","errors":["\#(error)"],"status":0,"request":"wd-req"}"#)
    }

    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            fields[String(parts[0])] = value.removingPercentEncoding ?? value
        }
        return fields
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        if request.method == "GET", request.uri.hasPrefix("/1/receipts/") { return receipt(request) }
        guard request.method == "POST" else { return .json(404, #"{"status":0,"errors":["not found"]}"#) }
        let fields = Self.form(request.bodyText)
        guard fields["token"] == appToken else {
            return Self.refused("token", "invalid", "application token is invalid, see https://pushover.net/api")
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .overQuota:
            return Self.refused("token", "over quota", "application is over its monthly quota", status: 429)
        case .serverError(let status): return .text(status, "Service Unavailable")
        case nil: break
        }
        if request.uri.hasPrefix("/1/receipts/"), request.uri.hasSuffix("/cancel.json") {
            let receipt = String(request.uri.dropFirst("/1/receipts/".count).dropLast("/cancel.json".count))
            return state.withLock { state in
                guard state.messages.contains(where: { $0.receipt == receipt }) else {
                    return Self.refused("receipt", "not found", "receipt not found; may be invalid or expired")
                }
                state.cancelled.append(receipt)
                return .json(200, #"{"status":1,"request":"wd-req"}"#)
            }
        }
        guard request.uri == "/1/messages.json" else { return .json(404, #"{"status":0,"errors":["not found"]}"#) }
        guard fields["user"] == userKey else {
            return Self.refused(
                "user", "invalid", "user identifier is not a valid user, group, or subscribed user key")
        }
        let message = fields["message"] ?? ""
        guard !message.isEmpty else { return Self.refused("message", "cannot be blank", "message cannot be blank") }
        guard message.count <= 1_024 else {
            return Self.refused("message", "too long", "message is too long, must be 1024 characters or less")
        }
        guard (fields["title"] ?? "").count <= 250 else {
            return Self.refused("title", "too long", "title is too long, must be 250 characters or less")
        }
        let priority = Int(fields["priority"] ?? "0") ?? 0
        guard (-2...2).contains(priority) else { return Self.refused("priority", "invalid", "priority is invalid") }
        var receipt: String?
        if priority == 2 {
            guard let retry = Int(fields["retry"] ?? ""), retry >= 30 else {
                return Self.refused("retry", "invalid", "retry is invalid")
            }
            guard let expire = Int(fields["expire"] ?? ""), expire <= 10_800 else {
                return Self.refused("expire", "invalid", "expire is invalid")
            }
            receipt = "r" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(29).lowercased()
        }
        state.withLock {
            $0.messages.append(
                Message(
                    title: fields["title"], message: message, priority: priority, receipt: receipt,
                    device: fields["device"]))
        }
        return .json(200, #"{"status":1,"request":"wd-req"\#(receipt.map { #","receipt":"\#($0)""# } ?? "")}"#)
    }

    /// `GET /1/receipts/{receipt}.json?token=…`, as Pushover's receipts API answers it.
    func receipt(_ request: RecordedRequest) -> StubResponse {
        let parts = request.uri.dropFirst("/1/receipts/".count).split(separator: "?", maxSplits: 1)
        guard parts.count == 2, parts[0].hasSuffix(".json"), Self.form(String(parts[1]))["token"] == appToken else {
            return Self.refused("token", "invalid", "application token is invalid, see https://pushover.net/api")
        }
        let receipt = String(parts[0].dropLast(".json".count))
        return state.withLock { state in
            state.receiptQueries += 1
            guard state.messages.contains(where: { $0.receipt == receipt }) else {
                return Self.refused("receipt", "not found", "receipt not found; may be invalid or expired")
            }
            let acknowledgement = state.acknowledged[receipt]
            let expired = state.expired.contains(receipt)
            return .json(
                200,
                #"{"status":1,"acknowledged":\#(acknowledgement == nil ? 0 : 1),"acknowledged_at":\#(acknowledgement?.at ?? 0),"acknowledged_by":"\#(acknowledgement?.by ?? "")","acknowledged_by_device":"\#(acknowledgement?.device ?? "")","last_delivered_at":1800000000,"expired":\#(expired ? 1 : 0),"expires_at":1800003600,"called_back":0,"called_back_at":0,"request":"wd-req"}"#
            )
        }
    }
}
