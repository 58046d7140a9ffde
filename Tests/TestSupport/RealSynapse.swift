import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real Matrix homeserver on loopback: Synapse (PyPI `matrix-synapse`, scripts/test.sh
/// installs it) on SQLite, with a bot user for the watchdog and a reader user, both
/// registered through the shared-secret admin API. `messagesPerSecond` sets Synapse's
/// own message rate limit (`rc_message`), so its real 429s can be met.
public final class RealSynapse: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let available = python3Imports("synapse.app.homeserver")

    public let baseURL: String
    public let serverName = "localhost"
    /// The watchdog's user, and a second member who reads what it posted.
    public private(set) var botToken = ""
    public private(set) var readerToken = ""
    let process: Process
    let directory: TemporaryDirectory
    static let sharedSecret = "watchdog-test-registration-secret"

    public static func start(messagesPerSecond: Double = 1000, burst: Int = 1000) async throws -> RealSynapse {
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let path = directory.path
        _ = try directory.write(
            "log.yaml",
            """
            version: 1
            formatters: {plain: {format: '%(asctime)s %(levelname)s %(name)s %(message)s'}}
            handlers: {file: {class: logging.FileHandler, filename: \(path)/homeserver.log, formatter: plain}}
            root: {level: WARNING, handlers: [file]}
            disable_existing_loggers: false
            """)
        let config = try directory.write(
            "homeserver.yaml",
            """
            server_name: "localhost"
            pid_file: \(path)/homeserver.pid
            listeners:
              - port: \(port)
                bind_addresses: ['127.0.0.1']
                type: http
                tls: false
                x_forwarded: false
                resources:
                  - names: [client]
                    compress: false
            database:
              name: sqlite3
              args:
                database: \(path)/homeserver.db
            log_config: \(path)/log.yaml
            media_store_path: \(path)/media
            signing_key_path: \(path)/signing.key
            registration_shared_secret: "\(sharedSecret)"
            macaroon_secret_key: "watchdog-test-macaroon"
            form_secret: "watchdog-test-form"
            report_stats: false
            trusted_key_servers: []
            suppress_key_server_warning: true
            enable_metrics: false
            url_preview_enabled: false
            presence:
              enabled: false
            rc_message:
              per_second: \(messagesPerSecond)
              burst_count: \(burst)
            rc_registration: {per_second: 1000, burst_count: 1000}
            rc_joins: {local: {per_second: 1000, burst_count: 1000}, remote: {per_second: 1000, burst_count: 1000}}
            rc_room_creation: {per_second: 1000, burst_count: 1000}
            """)
        let keys = try await RealDocker.shell(
            ["/usr/bin/env", "python3", "-m", "synapse.app.homeserver", "-c", config, "--generate-keys"],
            environment: ProcessInfo.processInfo.environment)
        guard keys.status == 0 else { throw Failure(description: "synapse --generate-keys: \(keys.stderr)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The test process blocks SIGTERM in its threads and a spawned child inherits the
        // mask; Python never unblocks it, so Synapse would not hear `terminate()`.
        process.arguments = [
            "python3", "-c",
            "import runpy, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "sys.argv = ['synapse', '-c', sys.argv[1]]; runpy.run_module('synapse.app.homeserver', run_name='__main__')",
            config,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let synapse = RealSynapse(process: process, baseURL: "http://127.0.0.1:\(port)", directory: directory)
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let (status, _) = try? await synapse.request("GET", "/_matrix/client/versions"), status == 200 {
                synapse.botToken = try await synapse.register("watchdog")
                synapse.readerToken = try await synapse.register("reader")
                return synapse
            }
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: path + "/homeserver.log", encoding: .utf8)) ?? ""
                throw Failure(description: "synapse exited with \(process.terminationStatus): \(log.suffix(2_000))")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        synapse.stop()
        throw Failure(description: "synapse not ready within 90 s")
    }

    init(process: Process, baseURL: String, directory: TemporaryDirectory) {
        self.process = process
        self.baseURL = baseURL
        self.directory = directory
    }

    /// One client-API request; the answer's status and JSON.
    public func request(_ method: String, _ path: String, token: String? = nil, body: [String: Any]? = nil)
        async throws -> (Int, [String: Any])
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = NIOHTTP1.HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
        return (Int(response.status.code), object ?? [:])
    }

    /// Registers `user` with the shared secret (Synapse's admin API) and returns its token.
    func register(_ user: String) async throws -> String {
        let (_, nonceAnswer) = try await request("GET", "/_synapse/admin/v1/register")
        guard let nonce = nonceAnswer["nonce"] as? String else { throw Failure(description: "no registration nonce") }
        let password = "pw-\(user)-0123456789"
        let mac = try await RealDocker.shell(
            [
                "/usr/bin/env", "python3", "-c",
                "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), b'\\x00'.join(a.encode() for a in sys.argv[2:]) + b'\\x00notadmin', hashlib.sha1).hexdigest())",
                Self.sharedSecret, nonce, user, password,
            ], environment: ProcessInfo.processInfo.environment)
        let (status, answer) = try await request(
            "POST", "/_synapse/admin/v1/register",
            body: [
                "nonce": nonce, "username": user, "password": password, "admin": false,
                "mac": mac.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            ])
        guard status == 200, let token = answer["access_token"] as? String else {
            throw Failure(description: "registering \(user): HTTP \(status) \(answer)")
        }
        return token
    }

    /// A room with `alias` (`#alias:localhost`) and its room id. Made by the bot, public,
    /// the reader joined (`encrypted` turns end-to-end encryption on); or, `byReader`, a
    /// private room of the reader's, the bot invited when `invitingBot`.
    public func createRoom(alias: String, encrypted: Bool = false, byReader: Bool = false, invitingBot: Bool = false)
        async throws -> String
    {
        var body: [String: Any] = ["room_alias_name": alias, "preset": byReader ? "private_chat" : "public_chat"]
        if encrypted {
            body["initial_state"] = [
                ["type": "m.room.encryption", "state_key": "", "content": ["algorithm": "m.megolm.v1.aes-sha2"]]
            ]
        }
        if invitingBot { body["invite"] = ["@watchdog:localhost"] }
        let (status, answer) = try await request(
            "POST", "/_matrix/client/v3/createRoom", token: byReader ? readerToken : botToken, body: body)
        guard status == 200, let room = answer["room_id"] as? String else {
            throw Failure(description: "createRoom: HTTP \(status) \(answer)")
        }
        if !byReader {
            let (joined, joinAnswer) = try await request(
                "POST", "/_matrix/client/v3/join/\(Self.encode("#\(alias):localhost"))", token: readerToken, body: [:])
            guard joined == 200 else { throw Failure(description: "join: HTTP \(joined) \(joinAnswer)") }
        }
        return room
    }

    /// The room's messages as the reader sees them, oldest first.
    public func messages(in room: String) async throws -> [[String: Any]] {
        let (status, answer) = try await request(
            "GET", "/_matrix/client/v3/rooms/\(Self.encode(room))/messages?dir=b&limit=100", token: readerToken)
        guard status == 200 else { throw Failure(description: "messages: HTTP \(status) \(answer)") }
        let events = (answer["chunk"] as? [[String: Any]]) ?? []
        return events.filter { $0["type"] as? String == "m.room.message" }.reversed()
    }

    /// The events of `event`'s thread, as the server relates them.
    public func thread(of event: String, in room: String) async throws -> [[String: Any]] {
        let (status, answer) = try await request(
            "GET", "/_matrix/client/v1/rooms/\(Self.encode(room))/relations/\(Self.encode(event))/m.thread",
            token: readerToken)
        guard status == 200 else { throw Failure(description: "relations: HTTP \(status) \(answer)") }
        return (answer["chunk"] as? [[String: Any]]) ?? []
    }

    /// `event` as the server serves it, with the edits it aggregated.
    public func event(_ event: String, in room: String) async throws -> [String: Any] {
        let (status, answer) = try await request(
            "GET", "/_matrix/client/v3/rooms/\(Self.encode(room))/event/\(Self.encode(event))", token: readerToken)
        guard status == 200 else { throw Failure(description: "event: HTTP \(status) \(answer)") }
        return answer
    }

    /// A new user, registered with the shared secret; its access token.
    public func addUser(_ user: String) async throws -> String {
        try await register(user)
    }

    /// `token`'s user joins `room` (an id or an alias).
    public func join(_ room: String, token: String) async throws {
        let (status, answer) = try await request(
            "POST", "/_matrix/client/v3/join/\(Self.encode(room))", token: token, body: [:])
        guard status == 200 else { throw Failure(description: "join: HTTP \(status) \(answer)") }
    }

    /// `token`'s user invites `user` to `room`.
    public func invite(_ user: String, to room: String, token: String) async throws {
        let (status, answer) = try await request(
            "POST", "/_matrix/client/v3/rooms/\(Self.encode(room))/invite", token: token, body: ["user_id": user])
        guard status == 200 else { throw Failure(description: "invite: HTTP \(status) \(answer)") }
    }

    /// `token`'s user says `text` in `room` (`m.text`, as a person types), in the thread of
    /// `thread` when given; the event id.
    public func say(_ text: String, in room: String, token: String, thread: String? = nil) async throws -> String {
        var content: [String: Any] = ["msgtype": "m.text", "body": text]
        if let thread {
            content["m.relates_to"] = [
                "rel_type": "m.thread", "event_id": thread, "is_falling_back": true,
                "m.in_reply_to": ["event_id": thread],
            ]
        }
        return try await send(content, type: "m.room.message", in: room, token: token)
    }

    /// `token`'s user reacts to `event` with `key` (an `m.annotation`); the event id.
    public func react(_ key: String, to event: String, in room: String, token: String) async throws -> String {
        try await send(
            ["m.relates_to": ["rel_type": "m.annotation", "event_id": event, "key": key]], type: "m.reaction",
            in: room, token: token)
    }

    func send(_ content: [String: Any], type: String, in room: String, token: String) async throws -> String {
        let transaction = UUID().uuidString
        let (status, answer) = try await request(
            "PUT", "/_matrix/client/v3/rooms/\(Self.encode(room))/send/\(type)/\(transaction)", token: token,
            body: content)
        guard status == 200, let id = answer["event_id"] as? String else {
            throw Failure(description: "send: HTTP \(status) \(answer)")
        }
        return id
    }

    /// The bot (the room's creator, at 100) sets `user`'s power level in `room`.
    public func setPowerLevel(_ level: Int, of user: String, in room: String) async throws {
        let path = "/_matrix/client/v3/rooms/\(Self.encode(room))/state/m.room.power_levels/"
        var (status, levels) = try await request("GET", path, token: botToken)
        guard status == 200 else { throw Failure(description: "power levels: HTTP \(status) \(levels)") }
        var users = levels["users"] as? [String: Any] ?? [:]
        users[user] = level
        levels["users"] = users
        (status, levels) = try await request("PUT", path, token: botToken, body: levels)
        guard status == 200 else { throw Failure(description: "set power levels: HTTP \(status) \(levels)") }
    }

    /// Every event of the room as the reader sees it (messages, reactions, edits), oldest first.
    public func timeline(of room: String) async throws -> [[String: Any]] {
        let (status, answer) = try await request(
            "GET", "/_matrix/client/v3/rooms/\(Self.encode(room))/messages?dir=b&limit=200", token: readerToken)
        guard status == 200 else { throw Failure(description: "messages: HTTP \(status) \(answer)") }
        return ((answer["chunk"] as? [[String: Any]]) ?? []).reversed()
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// SIGTERM, and SIGKILL when Synapse has not ended 10 s later.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
