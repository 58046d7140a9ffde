import Foundation

/// A stand-in for the Docker Engine API on a unix socket, for hosts too big to make with
/// a real daemon in a test (10,000 compose containers): `/_ping`, the container list
/// (every entry in the shape and size a real daemon answers, about 1.3 KiB with compose's
/// labels), inspect, and an events stream that stays open. Tests check it with the real
/// `docker` CLI before trusting it.
public final class DockerEngineStandIn: Sendable {
    public let socket: String
    public let project: String
    public let count: Int
    public let server: StubHTTPServer
    private let directory: String

    /// The API version it speaks, as Docker 20.10 does.
    public static let apiVersion = "1.41"

    private init(socket: String, project: String, count: Int, server: StubHTTPServer, directory: String) {
        self.socket = socket
        self.project = project
        self.count = count
        self.server = server
        self.directory = directory
    }

    /// Answers a real daemon would not give, to cross the watchdog's bounds.
    public struct Oddities: Sendable {
        /// One more list entry of this many bytes (labels of megabytes).
        public var hugeEntryBytes: Int?
        /// This container's inspect document padded to this many bytes.
        public var oversizedInspect: (name: String, bytes: Int)?
        /// The events stream answers one line of this many bytes, then ends.
        public var eventLineBytes: Int?

        public init(
            hugeEntryBytes: Int? = nil, oversizedInspect: (name: String, bytes: Int)? = nil, eventLineBytes: Int? = nil
        ) {
            self.hugeEntryBytes = hugeEntryBytes
            self.oversizedInspect = oversizedInspect
            self.eventLineBytes = eventLineBytes
        }
    }

    /// Listens on a socket of its own (a short path: unix socket paths are limited to
    /// 107 bytes) with `count` running containers of compose project `project`, named
    /// `<project>-worker-<n>`.
    public static func start(project: String, count: Int, oddities: Oddities = Oddities()) async throws
        -> DockerEngineStandIn
    {
        let directory = "/tmp/wds-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let socket = directory + "/docker.sock"
        var list = listBody(project: project, count: count)
        if let bytes = oddities.hugeEntryBytes {
            let huge =
                #"{"Id":"\#(hex(0, "huge"))","Names":["/\#(project)-huge"],"State":"running","Labels":{"com.docker.compose.project":"\#(project)","pad":"\#(String(repeating: "z", count: bytes))"}}"#
            list = "[" + huge + (count > 0 ? "," : "") + list.dropFirst()
        }
        let body = list
        let server: StubHTTPServer
        do {
            server = try await StubHTTPServer.start(unixSocket: socket) { request in
                answer(request, project: project, count: count, list: body, oddities: oddities)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return DockerEngineStandIn(
            socket: socket, project: project, count: count, server: server, directory: directory)
    }

    /// Runs `body` with a stand-in started as `start` does, and stops it (its socket and
    /// folder removed) before returning, whether `body` threw or not.
    public static func with<Value>(
        project: String, count: Int, oddities: Oddities = Oddities(),
        _ body: (DockerEngineStandIn) async throws -> Value
    ) async throws -> Value {
        let standIn = try await start(project: project, count: count, oddities: oddities)
        do {
            let value = try await body(standIn)
            await standIn.stop()
            return value
        } catch {
            await standIn.stop()
            throw error
        }
    }

    /// Stops listening and removes its socket and folder.
    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// How many list requests it answered.
    public var listRequests: Int {
        server.requests.filter { $0.uri.contains("/containers/json") }.count
    }

    public static func name(project: String, _ number: Int) -> String { "\(project)-worker-\(number)" }

    static func hex(_ seed: Int, _ salt: String) -> String {
        var text = ""
        var value = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(salt.utf8.count)
        while text.count < 64 {
            value = value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += String(value >> 32, radix: 16)
        }
        return String(text.prefix(64))
    }

    /// One list entry as Docker 20.10 writes it for a compose container.
    static func entry(project: String, _ number: Int) -> String {
        let name = name(project: project, number)
        let address = "172.18.\(number / 250 % 250).\(number % 250 + 2)"
        return """
            {"Id":"\(hex(number, "id"))","Names":["/\(name)"],"Image":"busybox:latest",\
            "ImageID":"sha256:\(hex(1, "image"))","Command":"sleep 3600","Created":1733400000,"Ports":[],\
            "Labels":{"com.docker.compose.config-hash":"\(hex(number, "hash"))",\
            "com.docker.compose.container-number":"1","com.docker.compose.depends_on":"",\
            "com.docker.compose.image":"sha256:\(hex(1, "image"))","com.docker.compose.oneoff":"False",\
            "com.docker.compose.project":"\(project)",\
            "com.docker.compose.project.config_files":"/srv/\(project)/docker-compose.yml",\
            "com.docker.compose.project.working_dir":"/srv/\(project)",\
            "com.docker.compose.service":"worker-\(number)","com.docker.compose.version":"2.24.6"},\
            "State":"running","Status":"Up 2 hours","HostConfig":{"NetworkMode":"\(project)_default"},\
            "NetworkSettings":{"Networks":{"\(project)_default":{"IPAMConfig":null,"Links":null,"Aliases":null,\
            "NetworkID":"\(hex(2, "network"))","EndpointID":"\(hex(number, "endpoint"))",\
            "Gateway":"172.18.0.1","IPAddress":"\(address)","IPPrefixLen":16,"IPv6Gateway":"",\
            "GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"02:42:ac:12:00:02",\
            "DriverOpts":null}}},"Mounts":[]}
            """
    }

    static func listBody(project: String, count: Int) -> String {
        // Newest first, as Docker lists.
        "[" + (1...max(1, count)).reversed().prefix(count).map { entry(project: project, $0) }.joined(separator: ",")
            + "]"
    }

    static func inspect(project: String, _ number: Int) -> String {
        let name = name(project: project, number)
        return """
            {"Id":"\(hex(number, "id"))","Created":"2026-12-05T10:00:00.000000000Z","Path":"sleep",\
            "Args":["3600"],"State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,\
            "OOMKilled":false,"Dead":false,"Pid":\(1000 + number),"ExitCode":0,"Error":"",\
            "StartedAt":"2026-12-05T10:00:01.000000000Z","FinishedAt":"0001-01-01T00:00:00Z"},\
            "Name":"/\(name)","RestartCount":0,"Config":{"Hostname":"\(hex(number, "id").prefix(12))",\
            "Tty":false,"Image":"busybox:latest","Labels":{"com.docker.compose.project":"\(project)",\
            "com.docker.compose.service":"worker-\(number)"}}}
            """
    }

    static func answer(
        _ request: RecordedRequest, project: String, count: Int, list: String, oddities: Oddities = Oddities()
    ) -> StubResponse {
        let headers = ["Api-Version": apiVersion, "Docker-Experimental": "false", "Ostype": "linux"]
        let path = String(request.uri.prefix { $0 != "?" })
        if path == "/_ping" {
            return .text(200, request.method == "HEAD" ? "" : "OK", headers: headers)
        }
        let parts = path.split(separator: "/")
        // /v1.41/...: the version is any the client chose.
        guard parts.count >= 2, parts[0].hasPrefix("v") else {
            return .json(404, #"{"message":"page not found"}"#, headers: headers)
        }
        let rest = Array(parts.dropFirst())
        switch rest.first {
        case "version":
            return .json(
                200,
                #"{"Version":"20.10.24","ApiVersion":"\#(apiVersion)","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#,
                headers: headers)
        case "events":
            guard let bytes = oddities.eventLineBytes else { return .hangs }
            return .json(
                200, #"{"Type":"container","Action":"start","pad":""# + String(repeating: "e", count: bytes) + "\"}\n",
                headers: headers)
        case "containers" where rest.count == 2 && rest[1] == "json":
            return .json(200, list, headers: headers)
        case "containers" where rest.count == 3 && rest[2] == "json":
            let prefix = "\(project)-worker-"
            let name = String(rest[1]).removingPercentEncoding ?? String(rest[1])
            if name.hasPrefix(prefix), let number = Int(name.dropFirst(prefix.count)), (1...count).contains(number) {
                var document = inspect(project: project, number)
                if let oversized = oddities.oversizedInspect, oversized.name == name {
                    document =
                        String(document.dropLast()) + #","Pad":""#
                        + String(repeating: "p", count: oversized.bytes) + "\"}"
                }
                return .json(200, document, headers: headers)
            }
            if let number = (1...max(1, count)).first(where: { hex($0, "id").hasPrefix(name) && name.count >= 12 }) {
                return .json(200, inspect(project: project, number), headers: headers)
            }
            return .json(404, #"{"message":"No such container: \#(name.prefix(100))"}"#, headers: headers)
        default:
            return .json(404, #"{"message":"page not found"}"#, headers: headers)
        }
    }
}
