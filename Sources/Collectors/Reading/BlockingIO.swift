import Dispatch

/// Runs a blocking system call away from Swift's cooperative thread pool.
///
/// `statvfs` on a dead NFS mount can block forever; on a two-core host the cooperative
/// pool has two threads, so one such call there would stall every other task. A
/// dispatch thread can block without starving the tick, which times the call out.
enum BlockingIO {
    private static let queue = DispatchQueue(
        label: "watchdog.blocking-io", qos: .utility, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
