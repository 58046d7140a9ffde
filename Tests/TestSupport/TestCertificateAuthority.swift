import Foundation

/// A certificate authority made for one test with `openssl`, and a server certificate it
/// signed for `localhost` and 127.0.0.1: what `WATCHDOG_CA_FILE` is given to trust a
/// local TLS peer (the SMTP server, Synapse). Its files live in `directory`.
public struct TestCertificateAuthority: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The CA's certificate (PEM): the file `WATCHDOG_CA_FILE` names.
    public let authorityCertificate: String
    /// The server's certificate and key (PEM).
    public let serverCertificate: String
    public let serverKey: String

    public static func make(in directory: TemporaryDirectory) throws -> TestCertificateAuthority {
        let path = directory.path
        let extensions = try directory.write(
            "server.ext",
            """
            subjectAltName = DNS:localhost, IP:127.0.0.1
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            """)
        try openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=watchdog test CA",
            "-keyout", "\(path)/ca.key", "-out", "\(path)/ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "\(path)/server.key", "-out", "\(path)/server.csr",
        ])
        try openssl([
            "x509", "-req", "-in", "\(path)/server.csr", "-CA", "\(path)/ca.pem", "-CAkey", "\(path)/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", "\(path)/server.pem",
        ])
        return TestCertificateAuthority(
            authorityCertificate: "\(path)/ca.pem", serverCertificate: "\(path)/server.pem",
            serverKey: "\(path)/server.key")
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.first ?? "") exited with \(process.terminationStatus)")
        }
    }
}
