import Notify
import ServiceLifecycle

/// Runs every channel's outbox worker as a service beside the tick loop. On graceful
/// shutdown the workers stop at once; what is still queued is in the state file and is
/// sent after the restart.
public struct DeliveryService<C: Clock>: Service where C.Duration == Duration {
    let delivery: Delivery<C>

    public init(delivery: Delivery<C>) {
        self.delivery = delivery
    }

    public func run() async throws {
        let delivery = self.delivery
        await cancelWhenGracefulShutdown {
            await delivery.run()
        }
    }
}
