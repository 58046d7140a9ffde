import ArgumentParser
import AsyncHTTPClient
import Foundation
import Watchdog

/// `watchdog healthcheck`: exit 0 when the running watchdog's `/healthz` answers 200, for
/// a compose `healthcheck` in an image without curl (SPEC §8).
struct Healthcheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 when the running watchdog's /healthz answers 200, 1 otherwise.")

    func run() async throws {
        let configuration = try loadConfigurationOrExit().configuration
        guard let listen = configuration.listen else {
            print("unhealthy: the HTTP endpoint is off (WATCHDOG_LISTEN=off), nothing to ask")
            throw ExitCode(1)
        }
        let url = "http://\(Self.connectAddress(for: listen))/healthz"
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "User-Agent", value: "watchdog-healthcheck")
            let response = try await HTTPClient.shared.execute(
                request, timeout: .milliseconds(Int64(configuration.httpTimeout.seconds * 1000)))
            let body = try await response.body.collect(upTo: 16 * 1024)
            let text = String(buffer: body)
            guard response.status.code == 200 else {
                print("unhealthy: \(url) answered \(response.status.code) \(text)")
                throw ExitCode(1)
            }
            print("healthy: \(text)")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            print("unhealthy: \(url): \(error)")
            throw ExitCode(1)
        }
    }

    /// A wildcard listen address is reached on loopback.
    static func connectAddress(for listen: ListenAddress) -> String {
        switch listen.host {
        case "0.0.0.0": "127.0.0.1:\(listen.port)"
        case "::", "[::]": "[::1]:\(listen.port)"
        default: listen.description
        }
    }
}
