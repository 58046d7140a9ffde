extension Duration {
    /// Whole microseconds, for NIO's time amounts and latency figures.
    var wholeMicroseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }

    /// Whole milliseconds, for NIO's time amounts.
    var wholeMilliseconds: Int64 { wholeMicroseconds / 1000 }
}
