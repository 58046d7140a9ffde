import Foundation

/// Polls `condition` in real time until it holds or `timeout` passes; for conditions that
/// wait on real I/O (a local server's answer), where yielding alone proves nothing.
/// Returns whether it held, so the caller can `#expect` it.
@discardableResult
public func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
