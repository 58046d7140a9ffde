import Notify

/// The mail providers Apprise knows by the sender's domain (its `EMAIL_TEMPLATES`), so a
/// `mailto://user:password@gmail.com` that works with Apprise works here unchanged: when
/// the URL names no `?smtp=`, the provider's server, port and security apply (a port or
/// `?mode=` in the URL still wins), and the login becomes the whole address or only its
/// local part, as the provider wants it.
struct EmailProvider: Sendable {
    enum Login: Sendable {
        /// `user@domain`.
        case address
        /// The local part alone.
        case userID
        /// As the URL gives it.
        case asGiven
    }

    let domains: Set<String>
    let server: String
    let port: Int
    let security: SMTPSecurity
    let login: Login

    static func words(_ text: String) -> Set<String> { Set(text.split(separator: " ").map(String.init)) }

    static let all: [EmailProvider] = [
        EmailProvider(
            domains: ["gmail.com"], server: "smtp.gmail.com", port: 587, security: .starttls, login: .address),
        EmailProvider(
            domains: words("yandex.com yandex.ru yandex.ua yandex.by yandex.kz yandex.uz yandex.tr yandex.fr"),
            server: "smtp.yandex.ru", port: 465, security: .ssl, login: .userID),
        EmailProvider(
            domains: words("hotmail.com hotmail.com.au live.com live.com.au"), server: "smtp-mail.outlook.com",
            port: 587, security: .starttls, login: .address),
        EmailProvider(
            domains: words("outlook.com outlook.com.au smtp.outlook.com smtp.outlook.com.au"),
            server: "smtp.outlook.com", port: 587, security: .starttls, login: .address),
        EmailProvider(
            domains: words("office365.com smtp.office365.com"), server: "smtp.office365.com", port: 587,
            security: .starttls, login: .asGiven),
        EmailProvider(
            domains: words("yahoo.ca yahoo.com"), server: "smtp.mail.yahoo.com", port: 465, security: .ssl,
            login: .address),
        EmailProvider(
            domains: words("gmx.com gmx.net gmx.de gmx.at gmx.ch gmx.fr"), server: "mail.gmx.com", port: 587,
            security: .starttls, login: .address),
        EmailProvider(
            domains: words(
                "fastmail.com fastmail.cn fastmail.co.uk fastmail.com.au fastmail.de fastmail.es fastmail.fm "
                    + "fastmail.fr fastmail.im fastmail.in fastmail.jp fastmail.mx fastmail.net fastmail.nl "
                    + "fastmail.org fastmail.se fastmail.to fastmail.tw fastmail.uk fastmail.us"),
            server: "smtp.fastmail.com", port: 465, security: .ssl, login: .address),
        // Fastmail's other domains.
        EmailProvider(
            domains: words(
                "123mail.org airpost.net eml.cc fmail.co.uk fmgirl.com fmguy.com mailbolt.com mailcan.com "
                    + "mailhaven.com mailmight.com ml1.net mm.st myfastmail.com proinbox.com promessage.com "
                    + "rushpost.com sent.as sent.at sent.com speedymail.org warpmail.net xsmail.com 150mail.com "
                    + "150ml.com 16mail.com 2-mail.com 4email.net 50mail.com allmail.net bestmail.us cluemail.com "
                    + "elitemail.org emailcorner.net emailengine.net emailengine.org emailgroups.net emailplus.org "
                    + "emailuser.net f-m.fm fast-email.com fast-mail.org fastem.com fastemail.us fastemailer.com "
                    + "fastest.cc fastimap.com fastmailbox.net fastmessaging.com fea.st fmailbox.com ftml.net "
                    + "h-mail.us hailmail.net imap-mail.com imap.cc imapmail.org inoutbox.com internet-e-mail.com "
                    + "internet-mail.org internetemails.net internetmailing.net jetemail.net justemail.net "
                    + "letterboxes.org mail-central.com mail-page.com mailandftp.com mailas.com mailc.net "
                    + "mailforce.net mailftp.com mailingaddress.org mailite.com mailnew.com mailsent.net "
                    + "mailservice.ms mailup.net mailworks.org mymacmail.com nospammail.net ownmail.net petml.com "
                    + "postinbox.com postpro.net realemail.net reallyfast.biz reallyfast.info speedpost.net "
                    + "ssl-mail.com swift-mail.com the-fastest.net the-quickest.com theinternetemail.com "
                    + "veryfast.biz veryspeedy.net yepmail.net"),
            server: "smtp.fastmail.com", port: 465, security: .ssl, login: .address),
        EmailProvider(
            domains: words("zoho.com zohomail.com"), server: "smtp.zoho.com", port: 587, security: .starttls,
            login: .address),
        EmailProvider(
            domains: words("sendgrid.com sendgrid.net"), server: "smtp.sendgrid.net", port: 465, security: .ssl,
            login: .userID),
        EmailProvider(domains: ["163.com"], server: "smtp.163.com", port: 465, security: .ssl, login: .address),
        EmailProvider(
            domains: words("foxmail.com qq.com"), server: "smtp.qq.com", port: 587, security: .starttls,
            login: .address),
        EmailProvider(
            domains: ["comcast.net"], server: "smtp.comcast.net", port: 465, security: .ssl, login: .address),
    ]

    /// The provider of `domain`, if Apprise knows it.
    static func of(domain: String) -> EmailProvider? {
        let domain = domain.lowercased()
        return all.first { $0.domains.contains(domain) }
    }

    /// The login the provider wants from the URL's user part, and the domain then (an
    /// address as the login also names the sender's domain), as Apprise adjusts them.
    func adjusted(user: String, domain: String) -> (login: String, domain: String) {
        let isAddress = MailFormat.isAddress(user)
        switch login {
        case .asGiven:
            return (user, domain)
        case .address:
            return isAddress ? (user, String(user.split(separator: "@")[1])) : ("\(user)@\(domain)", domain)
        case .userID:
            guard isAddress else { return (user, domain) }
            // Apprise's `^((label)\+)?(id)@`: the local part after a leading `label+`.
            let local = user.split(separator: "@")[0]
            let parts = local.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts.count == 2 && !parts[0].isEmpty ? parts[1] : local), domain)
        }
    }
}
