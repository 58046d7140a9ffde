import Foundation

/// A real SMTP server on loopback: PyPI's `aiosmtpd` (scripts/test.sh installs it),
/// speaking STARTTLS (or TLS from the first byte) with a test CA's certificate and
/// requiring AUTH (PLAIN and LOGIN) after it. Every message it accepts is kept as it
/// arrived, with its envelope. `refuse(_:)` makes it answer the next messages' DATA
/// with a reply of the test's choosing (a 451, a 550).
public final class RealSMTPServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One message as the server received it.
    public struct Received: Sendable {
        public let sender: String
        public let recipients: [String]
        /// The message as DATA carried it, dot-stuffing undone (CRLF line ends).
        public let content: String
    }

    public static let available = python3Imports("aiosmtpd")

    public let port: Int
    public let user = "watchdog"
    public let password = "s3cret-smtp-pass"
    let process: Process
    let directory: TemporaryDirectory
    public let authority: TestCertificateAuthority

    static let script = #"""
        import asyncio, json, os, signal, ssl, sys
        # Whatever the test runner blocked or ignored, SIGTERM ends this server.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        port, folder, mode, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(folder + "/server.pem", folder + "/server.key")

        def authenticate(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
            with open(folder + "/auth.log", "a") as log:
                log.write(f"{mechanism} {'ok' if ok else 'refused'}\n")
            return AuthResult(success=ok, handled=False)

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                refusals = folder + "/refuse.txt"
                if os.path.exists(refusals):
                    with open(refusals) as f:
                        lines = f.read().splitlines()
                    if lines:
                        with open(refusals, "w") as f:
                            f.write("\n".join(lines[1:]))
                        return lines[0]
                count = len([n for n in os.listdir(folder) if n.endswith(".json")])
                with open(f"{folder}/{count:04d}.eml", "wb") as f:
                    f.write(envelope.original_content)
                with open(f"{folder}/{count:04d}.json.tmp", "w") as f:
                    json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
                os.rename(f"{folder}/{count:04d}.json.tmp", f"{folder}/{count:04d}.json")
                return "250 2.0.0 kept"

        arguments = dict(hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=True,
                         server_hostname="localhost")
        if mode == "ssl":
            # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this connection
            # is TLS from its first byte.
            arguments.update(ssl_context=context, auth_require_tls=False)
        else:
            arguments.update(tls_context=context, require_starttls=True)
        controller = Controller(Keep(), **arguments)
        controller.start()
        print("ready", flush=True)
        sys.stdin.read()
        controller.stop()
        """#

    /// `implicitTLS`: TLS from the first byte (`mode=ssl`) instead of STARTTLS.
    public init(implicitTLS: Bool = false) throws {
        directory = try TemporaryDirectory()
        authority = try TestCertificateAuthority.make(in: directory)
        port = try freeLocalPort()
        let script = try directory.write("smtp_server.py", Self.script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "\(port)", directory.path, implicitTLS ? "ssl" : "starttls", user, password,
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.input = input
        let line = output.fileHandleForReading.readLine()
        guard line == "ready" else {
            stop()
            throw Failure(description: "aiosmtpd did not start (it said: \(line ?? "nothing"))")
        }
    }

    let input: Pipe

    /// The next messages' DATA is answered with these replies, one each, in order.
    public func refuse(_ replies: [String]) throws {
        try replies.joined(separator: "\n").write(
            toFile: directory.path + "/refuse.txt", atomically: true, encoding: .utf8)
    }

    /// Every message kept so far, in arrival order.
    public func received() -> [Received] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            let stem = directory.path + "/" + name.dropLast(5)
            guard let envelope = FileManager.default.contents(atPath: directory.path + "/" + name),
                let object = try? JSONSerialization.jsonObject(with: envelope) as? [String: Any],
                let content = FileManager.default.contents(atPath: stem + ".eml")
            else { return nil }
            return Received(
                sender: object["from"] as? String ?? "", recipients: object["to"] as? [String] ?? [],
                content: String(decoding: content, as: UTF8.self))
        }
    }

    /// The mechanisms clients authenticated with, and whether each was accepted.
    public func authentications() -> [String] {
        (try? String(contentsOfFile: directory.path + "/auth.log", encoding: .utf8))?
            .split(separator: "\n").map(String.init) ?? []
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.stopFirmly()
    }

    deinit { stop() }
}

extension FileHandle {
    /// One line, without its newline; nil at the end.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let byte = readData(ofLength: 1)
            guard let first = byte.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(first)
        }
    }
}
