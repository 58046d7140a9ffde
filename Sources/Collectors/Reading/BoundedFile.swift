import Glibc

/// Reads small text files (`/proc/meminfo` and friends) with a hard size limit.
///
/// Files under `/proc` report a size of zero, so the limit is enforced while reading:
/// a file that still has bytes after `limit` is an error, never a partial read that a
/// parser would take for the whole file.
public enum BoundedFile {
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CollectorError("cannot open \(path): \(errnoDescription())")
        }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CollectorError("cannot read \(path): \(errnoDescription())")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit {
                throw CollectorError("\(path) is larger than \(limit) bytes")
            }
        }
    }

    public static func readText(_ path: String, limit: Int) throws -> String {
        String(decoding: try read(path, limit: limit), as: UTF8.self)
    }
}

func errnoDescription(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
