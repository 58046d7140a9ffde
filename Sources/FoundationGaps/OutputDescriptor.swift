#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file descriptor written whole lines at a time: standard output for the console
/// channel, standard error for the log. `FileHandle` would do the same but lives in full
/// Foundation, which the shipped binary does not link.
public struct OutputDescriptor: Sendable {
    public let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static let standardOutput = OutputDescriptor(descriptor: 1)
    public static let standardError = OutputDescriptor(descriptor: 2)

    public struct WriteError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "write failed: \(String(cString: strerror(errno)))" }
    }

    /// Writes every byte, in as many `write(2)` calls as the descriptor takes, retrying
    /// an interrupted call. Throws on any other failure (a closed pipe is EPIPE: SIGPIPE
    /// is ignored by the process, so it never kills it).
    public func write(_ bytes: [UInt8]) throws(WriteError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { buffer in
                #if canImport(Glibc)
                    Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                    Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw WriteError(errno: code)
            }
            offset += written
        }
    }

    /// `text` and a newline, as one write where the descriptor allows.
    public func writeLine(_ text: String) throws(WriteError) {
        var bytes = Array(text.utf8)
        bytes.append(0x0a)
        try write(bytes)
    }
}
