import Foundation
import Notify

/// The state file's content (`WATCHDOG_STATE_FILE`): what a restart must not forget.
public struct PersistedState: Sendable, Codable, Equatable {
    /// Bumped when the format changes meaning; a file from a newer version is set aside.
    public static let currentVersion = 1

    public var version: Int
    public var savedAt: Date
    /// Alert states and collector failure streaks.
    public var engine: EngineState
    /// Undelivered messages per channel name, oldest first.
    public var outboxes: [String: [OutboundMessage]]

    public init(
        version: Int = PersistedState.currentVersion, savedAt: Date, engine: EngineState,
        outboxes: [String: [OutboundMessage]]
    ) {
        self.version = version
        self.savedAt = savedAt
        self.engine = engine
        self.outboxes = outboxes
    }

    static let empty = PersistedState(savedAt: Date(timeIntervalSince1970: 0), engine: EngineState(), outboxes: [:])
}
