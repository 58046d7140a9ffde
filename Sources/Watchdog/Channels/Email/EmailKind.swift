import Notify

/// `mailto://[user:password@]domain[/to…]?smtp=HOST&port=&to=&from=&name=&mode=` and
/// `mailtos://…` (SPEC §5.1), as Apprise reads them: the login is the URL's user, the
/// sender `user@domain` unless `?from=` names one, the recipients the path's addresses
/// and `?to=` (else the sender), the server `?smtp=` (else the domain). `mailto://`
/// speaks without TLS unless `?mode=` says otherwise; `mailtos://` uses STARTTLS on 587;
/// `mode=ssl` is TLS from the start on 465. A provider Apprise knows by its domain
/// (`EmailProvider`: Gmail, Outlook, Yahoo, Fastmail, …) brings its server, port and
/// security when the URL names no `?smtp=`.
public enum EmailKind: URLChannelKind {
    public static let schemes = ["mailto", "mailtos"]
    public static let kind = "e-mail"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> EmailSettings
    {
        var mode: SMTPSecurity?
        if let given = url.query["mode"]?.lowercased(), !given.isEmpty {
            guard let chosen = SMTPSecurity(rawValue: given) else { throw .invalid("mode (starttls, ssl or insecure)") }
            mode = chosen
        }
        var recipients: [String] = []
        var domain = url.host
        // Apprise: a "host" that is an address is a recipient, and the domain comes
        // from the login instead.
        if domain.contains("@") {
            recipients.append(domain)
            domain = ""
        }
        let user = url.user.flatMap { $0.isEmpty ? nil : $0 }
        var login = user
        let givenServer = url.query["smtp"].flatMap { $0.isEmpty ? nil : $0 }
        let provider = givenServer == nil && user != nil ? EmailProvider.of(domain: domain) : nil
        if let provider, let user { (login, domain) = provider.adjusted(user: user, domain: domain) }
        var sender: String?
        // The sender is made of the login as the provider adjusted it, as Apprise does.
        if let login {
            if !domain.isEmpty {
                sender = "\(login.split(separator: "@").first.map(String.init) ?? login)@\(domain)"
            } else if MailFormat.isAddress(login) {
                sender = login
                domain = String(login.split(separator: "@")[1])
            }
        }
        if let from = url.query["from"], !from.isEmpty {
            guard MailFormat.isAddress(from) else { throw .invalid("from (an address like alerts@example.com)") }
            sender = from
        }
        guard let sender, MailFormat.isAddress(sender) else {
            throw .missing("a sender: user@domain in the URL, or ?from=")
        }
        recipients += url.path.filter { !$0.isEmpty }
        if let to = url.query["to"] {
            recipients += to.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        }
        guard recipients.allSatisfy(MailFormat.isAddress) else {
            throw .invalid("recipient (the path's and ?to='s addresses, like ops@example.com)")
        }
        if recipients.isEmpty { recipients = [sender] }
        let security = mode ?? provider?.security ?? (url.isSecure ? .starttls : .insecure)
        let server = givenServer ?? provider?.server ?? domain
        guard !server.isEmpty, server.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) })
        else { throw .missing("an SMTP server: the domain, or ?smtp=") }
        let port: Int
        if let given = url.query["port"], !given.isEmpty {
            guard let number = Int(given), (1...65_535).contains(number) else { throw .badPort }
            port = number
        } else {
            port = url.port ?? provider?.port ?? defaultPort(security)
        }
        let credentials = url.password.flatMap { password in
            password.isEmpty ? nil : SMTPConversation.Credentials(user: login ?? sender, password: password)
        }
        let name = url.query["name"].flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
        return EmailSettings(
            server: SMTPServer(
                host: server.hasPrefix("[") ? String(server.dropFirst().dropLast()) : server, port: port,
                security: security),
            credentials: credentials, sender: sender, senderName: name, recipients: uniqued(recipients),
            clientName: "localhost")
    }

    static func defaultPort(_ security: SMTPSecurity) -> Int {
        switch security {
        case .starttls: 587
        case .ssl: 465
        case .insecure: 25
        }
    }

    static func uniqued(_ addresses: [String]) -> [String] {
        var seen = Set<String>()
        return addresses.filter { seen.insert($0.lowercased()).inserted }
    }

    public static func host(of settings: EmailSettings) -> String {
        "\(settings.server.host):\(settings.server.port)"
    }

    public static func channel(named name: String, settings: EmailSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        var settings = settings
        settings.clientName = clientName()
        let timeout = context.configuration.httpTimeout
        return EmailChannel(
            name: name, settings: settings, language: context.configuration.language,
            client: SMTPClient(
                server: settings.server, connectTimeout: timeout,
                conversationTimeout: max(timeout * 6, .seconds(30))))
    }

    /// What `EHLO` says: the host's name when it is a domain-like name, else
    /// `localhost` (RFC 5321 asks for a domain or an address literal).
    static func clientName() -> String {
        let name = Configuration.hostName()
        let valid =
            !name.isEmpty && name.count <= 253
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return valid ? name : "localhost"
    }
}
