import AsyncHTTPClient
import FoundationEssentials
import OutboundHTTP
import Watchdog

/// `watchdog healthcheck`: exit 0 when the running watchdog's `/healthz` answers 200, for
/// a compose `healthcheck` in an image without curl (SPEC §8).
struct Healthcheck {
    func run() async throws {
        let configuration = try loadConfigurationOrExit().configuration
        guard let listen = configuration.listen else {
            print("unhealthy: the HTTP endpoint is off (WATCHDOG_LISTEN=off), nothing to ask")
            throw ExitStatus(1)
        }
        let url = "http://\(Self.connectAddress(for: listen))/healthz"
        var request = HTTPExchange.Request(url: url)
        request.headers.add(name: "User-Agent", value: "watchdog-healthcheck")
        switch await HTTPExchange.perform(request, timeout: configuration.httpTimeout, bodyLimit: 16 * 1024) {
        case .success(let response):
            let text = String(decoding: response.body, as: UTF8.self)
            guard response.status == 200 else {
                print("unhealthy: \(url) answered \(response.status) \(text)")
                throw ExitStatus(1)
            }
            print("healthy: \(text)")
        case .failure(let failure):
            print("unhealthy: \(url): \(failure)")
            throw ExitStatus(1)
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
