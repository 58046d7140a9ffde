import Logging
import Notify

extension Delivery {
    /// One outbox per channel, each starting with what the state file still held for it.
    /// Pending messages of channels that are no longer configured are dropped with a
    /// warning: there is nowhere to send them.
    public static func make(
        channels: [any NotificationChannel], pending: [String: [OutboundMessage]],
        references: [String: MessageReferences] = [:], digestAfter: Int, clock: C, logger: Logger
    ) -> Delivery<C> {
        let names = Set(channels.map(\.name))
        for (name, messages) in pending where !names.contains(name) && !messages.isEmpty {
            logger.warning(
                "pending notifications of a channel no longer configured are dropped",
                metadata: ["channel": "\(name)", "count": "\(messages.count)"])
        }
        let outboxes = channels.map { channel in
            ChannelOutbox(
                channel: channel, pending: pending[channel.name] ?? [],
                references: references[channel.name] ?? MessageReferences(), clock: clock, logger: logger)
        }
        return Delivery(outboxes: outboxes, digestAfter: digestAfter)
    }
}
