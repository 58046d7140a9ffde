import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The process's entry: sizes NIO's shared threads, then runs the command line.
@main
enum WatchdogMain {
    static func main() async {
        sizeSharedThreads()
        let status = await WatchdogCommand.main(Array(CommandLine.arguments.dropFirst()))
        // Output is written with write(2) as it goes (OutputDescriptor, print's buffer
        // flushed by exit), so nothing is lost by exiting here.
        exit(status)
    }
}

// The event loops every connection runs on (the HTTP endpoint, the outbound clients,
// the probes) and NIO's pool for blocking work are NIO's shared singletons, one thread
// each per core by default: a sidecar next to a 64-core orchestrator would start 128
// threads for a few dozen sockets. One of each carries the watchdog's load with room to
// spare (scripts/bench.sh, BENCHMARKS.md); NIO's own variables still override it. It
// must be set before anything touches the singletons, so it is the first thing done.
private func sizeSharedThreads() {
    if getenv("NIO_SINGLETON_GROUP_LOOP_COUNT") == nil {
        NIOSingletons.groupLoopCountSuggestion = 1
    }
    if getenv("NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT") == nil {
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
    }
}
