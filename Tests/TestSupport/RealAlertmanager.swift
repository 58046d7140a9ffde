import AsyncHTTPClient
import Foundation
import NIOCore

/// A real Alertmanager (Debian's prometheus-alertmanager) on loopback, alone or as a
/// member of a cluster gossiping with the others on loopback, with a webhook receiver.
public struct RealAlertmanager {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let binary: String? = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    /// Set by scripts/test.sh: a missing peer is then a failure, never a silent skip.
    public static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    let process: Process
    public let baseURL: String
    /// Its configuration and data: removed when the Alertmanager is let go of.
    let directory: TemporaryDirectory

    /// `cluster`: the port this member gossips on and its peers' (nil: no cluster).
    /// Gossip settles and peers time out in a second or two, not Alertmanager's minute,
    /// so a test sees the cluster's deduplication quickly.
    public static func start(webhook: String, cluster: (port: Int, peers: [Int])? = nil) async throws
        -> RealAlertmanager
    {
        guard let binary else {
            throw Failure(description: "prometheus-alertmanager is not installed (scripts/test.sh installs it)")
        }
        let directory = try TemporaryDirectory()
        let config = try directory.write(
            "alertmanager.yml",
            """
            route:
              receiver: recorder
              group_by: ['alertname', 'instance', 'entity']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: recorder
                webhook_configs:
                  - url: '\(webhook)'
                    send_resolved: true
            """)
        let port = try freeLocalPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = [
            "--config.file=\(config)", "--storage.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        if let cluster {
            arguments +=
                [
                    "--cluster.listen-address=127.0.0.1:\(cluster.port)",
                    "--cluster.advertise-address=127.0.0.1:\(cluster.port)",
                    "--cluster.settle-timeout=2s", "--cluster.peer-timeout=2s", "--cluster.gossip-interval=100ms",
                    "--cluster.pushpull-interval=2s",
                ] + cluster.peers.map { "--cluster.peer=127.0.0.1:\($0)" }
        } else {
            arguments.append("--cluster.listen-address=")
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let alertmanager = RealAlertmanager(process: process, baseURL: "http://127.0.0.1:\(port)", directory: directory)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let ready = HTTPClientRequest(url: alertmanager.baseURL + "/-/ready")
            if let response = try? await HTTPClient.shared.execute(ready, timeout: .seconds(2)), response.status == .ok
            {
                return alertmanager
            }
            guard process.isRunning else {
                throw Failure(description: "alertmanager exited with \(process.terminationStatus)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        alertmanager.stop()
        throw Failure(description: "alertmanager not ready within 30 s")
    }

    /// `count` members gossiping with each other on loopback.
    public static func startCluster(count: Int, webhook: String) async throws -> [RealAlertmanager] {
        let ports = try (0..<count).map { _ in try freeLocalPort() }
        var members: [RealAlertmanager] = []
        do {
            for (index, port) in ports.enumerated() {
                members.append(
                    try await start(
                        webhook: webhook,
                        cluster: (port, ports.enumerated().filter { $0.offset != index }.map(\.element))
                    ))
            }
        } catch {
            for member in members { member.stop() }
            throw error
        }
        return members
    }

    /// How many members this one sees in its cluster (`/api/v2/status`).
    public func peersSeen() async -> Int {
        let request = HTTPClientRequest(url: baseURL + "/api/v2/status")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
            let body = try? await response.body.collect(upTo: 1 << 20),
            let status = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let cluster = status["cluster"] as? [String: Any]
        else { return 0 }
        return (cluster["peers"] as? [Any])?.count ?? 0
    }

    public func stop() {
        process.stopFirmly()
    }
}
