/// Why a collector could not produce a reading. The description is shown to operators
/// (logs, `collector_failed` details), so it says what was read and what went wrong.
public struct CollectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
