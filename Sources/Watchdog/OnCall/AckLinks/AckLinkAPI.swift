import FoundationEssentials
import Logging
import Notify
import Synchronization

/// `GET` and `POST /ack/{capability}` (SPEC §4.3, §7): the Ack link of channels without a
/// chat. No token: the capability is the secret, and it acknowledges one fire of one key.
///
/// - `GET` shows a page with one button and never acknowledges: mail scanners and link
///   previews follow links, people press buttons.
/// - `POST` acknowledges, once: a link of a key already acknowledged, or of a problem
///   that is over, is 410; one the watchdog never issued is 404.
/// - More than `failuresPerMinute` failed tries from one address within a minute are
///   answered 429, before the capability is looked at.
public struct AckLinkAPI: Sendable {
    let secret: AckSecret
    let keeper: any SilenceKeeper
    let logger: Logger
    let failures: AckFailures

    public static let pathPrefix = "/ack/"
    public static let failuresPerMinute = 10

    public init(secret: AckSecret, keeper: any SilenceKeeper, logger: Logger) {
        self.secret = secret
        self.keeper = keeper
        self.logger = logger
        failures = AckFailures(limit: Self.failuresPerMinute)
    }

    /// nil: not one of these routes.
    func respond(
        to request: EndpointRequest, snapshot: WatchdogStatus.Snapshot, now: Date, monotonic: ContinuousClock.Instant
    ) async -> EndpointResponse? {
        guard request.path.hasPrefix(Self.pathPrefix), request.method == "GET" || request.method == "POST" else {
            return nil
        }
        let client = request.client ?? "unknown"
        if failures.isOverLimit(client, at: monotonic) {
            logger.warning("ack link refused: too many failed tries", metadata: ["client": "\(client)"])
            return page(429, Texts.AckPage.tooMany)
        }
        let capability = String(request.path.dropFirst(Self.pathPrefix.count))
        guard let link = AckLink.verified(capability, secret: secret) else {
            failures.record(client, at: monotonic)
            logger.notice("ack link refused: never issued", metadata: ["client": "\(client)"])
            return page(404, Texts.AckPage.unknown)
        }
        guard let tracked = snapshot.alerts[link.key], tracked.state.firing,
            let since = tracked.state.since, Int64(since.timeIntervalSince1970.rounded(.down)) == link.started
        else {
            failures.record(client, at: monotonic)
            return page(410, Texts.AckPage.over(link.key))
        }
        if let acknowledgement = snapshot.book.acknowledgements[link.key] {
            failures.record(client, at: monotonic)
            return page(410, Texts.AckPage.already(link.key, by: acknowledgement.by, at: acknowledgement.at))
        }
        guard request.method == "POST" else {
            return page(200, Texts.AckPage.ask(link.key, title: tracked.signal.title, since: since, path: request.path))
        }
        guard await keeper.acknowledge(link.key, by: Texts.AckPage.acknowledger, via: "link", now: now) else {
            return page(410, Texts.AckPage.over(link.key))
        }
        logger.notice("acknowledged by an ack link", metadata: ["key": "\(link.key)", "client": "\(client)"])
        return page(200, Texts.AckPage.done(link.key, at: now))
    }

    private func page(_ status: Int, _ body: String) -> EndpointResponse {
        EndpointResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
    }
}

/// Failed tries per client address within the last minute, on the monotonic clock.
/// Bounded: beyond `maximumClients` addresses the one tried least recently is forgotten.
final class AckFailures: Sendable {
    let limit: Int
    static let window = Duration.seconds(60)
    static let maximumClients = 1_000
    private let tries = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    func isOverLimit(_ client: String, at now: ContinuousClock.Instant) -> Bool {
        tries.withLock { tries in
            let recent = (tries[client] ?? []).filter { $0.duration(to: now) < Self.window }
            tries[client] = recent.isEmpty ? nil : recent
            return recent.count >= limit
        }
    }

    func record(_ client: String, at now: ContinuousClock.Instant) {
        tries.withLock { tries in
            if tries[client] == nil, tries.count >= Self.maximumClients,
                let oldest = tries.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key
            {
                tries[oldest] = nil
            }
            tries[client, default: []].append(now)
            if tries[client, default: []].count > limit + 1 { tries[client]?.removeFirst() }
        }
    }
}

extension Texts {
    /// The pages of the Ack link: plain HTML, no script, nothing from outside, readable
    /// on a phone. English and Russian side by side: the page cannot know who opens it.
    enum AckPage {
        static let acknowledger = "Ack link"

        static func escaped(_ text: String) -> String {
            ChannelText.escapeMarkup(text).split(separator: "\"", omittingEmptySubsequences: false)
                .joined(separator: "&quot;")
        }

        static func document(_ heading: String, _ body: String) -> String {
            """
            <!doctype html>
            <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>watchdog</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}\
            button{font-size:1.25rem;padding:.75rem 1.5rem}</style></head>
            <body><h1>\(heading)</h1>\(body)</body></html>
            """
        }

        static func ask(_ key: SignalKey, title: String, since: Date, path: String) -> String {
            document(
                "👍 \(escaped(key.description))",
                "<p>\(escaped(title))</p><p>firing since / срабатывает с \(ConsoleRenderer.timestamp(since))</p>"
                    + "<form method=\"post\" action=\"\(escaped(path))\"><button type=\"submit\">"
                    + "Acknowledge / Принять</button></form>")
        }

        static func done(_ key: SignalKey, at: Date) -> String {
            document(
                "👍 \(escaped(key.description))",
                "<p>Acknowledged at \(ConsoleRenderer.timestamp(at)). / Принято.</p>")
        }

        static func already(_ key: SignalKey, by: String, at: Date) -> String {
            document(
                escaped(key.description),
                "<p>Already acknowledged by \(escaped(by)) at \(ConsoleRenderer.timestamp(at)). / Уже принято.</p>")
        }

        static func over(_ key: SignalKey) -> String {
            document(
                escaped(key.description), "<p>This problem is over; the link has expired. / Проблема закончилась.</p>")
        }

        static let unknown = document("watchdog", "<p>No such link. / Нет такой ссылки.</p>")
        static let tooMany = document("watchdog", "<p>Too many tries; wait a minute. / Слишком много попыток.</p>")
    }
}
