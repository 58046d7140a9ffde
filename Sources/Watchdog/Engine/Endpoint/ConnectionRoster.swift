import NIOCore
import Synchronization

/// The endpoint's open connections, so that idle ones give way to new ones.
///
/// A cap on accepted connections lets a local client that holds that many idle
/// connections keep `/healthz` (and with it the compose healthcheck) from ever being
/// answered: accepting stops. Instead, every connection is accepted, and once more than
/// `keepAtMost` are open the one quiet longest is closed, provided it has been quiet for
/// `quietFor` (a request being answered is never cut). Only when none is that quiet and
/// `hardLimit` are open is the newcomer itself closed, so file descriptors stay bounded
/// and the next newcomer, a moment later, gets its turn.
final class ConnectionRoster: Sendable {
    private struct Entry {
        let channel: any Channel
        var lastActive: NIODeadline
    }

    let keepAtMost: Int
    let hardLimit: Int
    let quietFor: TimeAmount
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(keepAtMost: Int, hardLimit: Int, quietFor: TimeAmount = .seconds(1)) {
        self.keepAtMost = keepAtMost
        self.hardLimit = hardLimit
        self.quietFor = quietFor
    }

    var count: Int { entries.withLock { $0.count } }

    func opened(_ channel: any Channel) {
        let now = NIODeadline.now()
        let closing: (any Channel)? = entries.withLock { entries in
            guard entries.count >= keepAtMost else {
                entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: now)
                return nil
            }
            let quietest = entries.filter { $0.value.lastActive + quietFor <= now }
                .min { $0.value.lastActive < $1.value.lastActive }
            if let quietest {
                entries[quietest.key] = nil
                entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: now)
                return quietest.value.channel
            }
            guard entries.count < hardLimit else { return channel }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: now)
            return nil
        }
        closing?.close(promise: nil)
    }

    func touched(_ channel: any Channel) {
        let now = NIODeadline.now()
        entries.withLock { $0[ObjectIdentifier(channel)]?.lastActive = now }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// Reports one connection's reads and writes to the roster. It passes every part
/// through untouched.
final class ConnectionActivity: ChannelDuplexHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    let roster: ConnectionRoster

    init(roster: ConnectionRoster) {
        self.roster = roster
    }

    func handlerAdded(context: ChannelHandlerContext) {
        roster.opened(context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        roster.closed(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        roster.touched(context.channel)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        roster.touched(context.channel)
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        roster.closed(context.channel)
        context.fireChannelInactive()
    }
}
