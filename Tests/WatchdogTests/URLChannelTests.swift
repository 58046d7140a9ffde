import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Channels given as URLs in Apprise's syntax (SPEC §2.2, §5.1): the URL split as
/// Apprise splits it, checked against Apprise itself; the variables; the errors.
@Suite struct AppriseURLTests {
    @Test func aURLIsSplitAsAppriseSplitsIt() throws {
        let ntfy = try AppriseURL.parse(
            "ntfys://us%40er:p%3Ass@ntfy.example:8443/alerts,other?Priority=high&token=tk+1")
        #expect(ntfy.scheme == "ntfys" && ntfy.isSecure)
        #expect(ntfy.user == "us@er" && ntfy.password == "p:ss")
        #expect(ntfy.host == "ntfy.example" && ntfy.port == 8443)
        #expect(ntfy.path == ["alerts", "other"])
        #expect(ntfy.query == ["priority": "high", "token": "tk+1"])

        // `/#` is a room alias, not a fragment; a user= option overrides the user part.
        let matrix = try AppriseURL.parse("MATRIXS://syt_token@matrix.example/#ops:matrix.example?user=bot")
        #expect(matrix.scheme == "matrixs" && matrix.user == "bot" && matrix.path == ["#ops:matrix.example"])

        let bare = try AppriseURL.parse("discord://123/tok#fragment")
        #expect(bare.host == "123" && bare.path == ["tok"] && bare.user == nil && bare.port == nil)
    }

    @Test(arguments: [
        ("no scheme here", ChannelURLError.noScheme),
        ("discord://1:99999/x", .badPort),
        ("discord://1:port/x", .badPort),
        ("discord://1/%zz", .badPercentEncoding),
        ("nosuch://secret-token@host", .unknownScheme("nosuch")),
    ])
    func aBadURLIsRefusedWithoutShowingIt(url: String, error: ChannelURLError) {
        #expect(throws: error) { try URLChannelCatalog.read(url, name: "x", variable: "V", context: .init()) }
        #expect(!error.description.contains("secret"))
    }

    @Test func aURLOverItsBoundIsRefused() {
        let long = "json://host/" + String(repeating: "a", count: AppriseURL.maximumLength)
        #expect(throws: ChannelURLError.tooLong(limit: AppriseURL.maximumLength)) { try AppriseURL.parse(long) }
    }

    @Test func discordTakesItsSchemeAndItsOwnWebhookURL() throws {
        let context = URLChannelContext(apiBaseURLs: ["discord": "http://127.0.0.1:9/api"])
        let short = try DiscordKind.settings(
            from: AppriseURL.parse("discord://alertbot@1180000000000000001/Tok-en_1?thread=42"), context: context)
        #expect(short.webhookID == "1180000000000000001" && short.token == "Tok-en_1")
        #expect(short.threadID == "42" && short.username == "alertbot" && short.apiBaseURL == "http://127.0.0.1:9/api")
        let native = try URLChannelCatalog.read(
            "https://discord.com/api/webhooks/1180000000000000001/Tok-en_1", name: "ops", variable: "V",
            context: .init())
        #expect(
            native.kind == "discord" && native.host == "discord.com" && native.summary == "ops (discord, discord.com)")
        #expect(throws: ChannelURLError.missing("the webhook token after the id")) {
            try DiscordKind.settings(from: AppriseURL.parse("discord://1180000000000000001"), context: context)
        }
        #expect(throws: ChannelURLError.invalid("webhook id (digits)")) {
            try DiscordKind.settings(from: AppriseURL.parse("discord://abc/tok"), context: context)
        }
    }

    @Test func jsonIsTheWebhookChannelWithHeadersAndBasicAuthentication() throws {
        let settings = try JSONWebhookKind.settings(
            from: AppriseURL.parse("jsons://alice:s3cret@hooks.example:8443/a/b%20c?+X-Token=abc&method=POST"),
            context: .init())
        #expect(settings.url == "https://hooks.example:8443/a/b%20c")
        #expect(settings.headers.map(\.0) == ["x-token", "Authorization"])
        #expect(settings.headers.last?.1 == "Basic " + Data("alice:s3cret".utf8).base64EncodedString())
        let plain = try JSONWebhookKind.settings(from: AppriseURL.parse("json://10.0.0.5/hook"), context: .init())
        #expect(plain.url == "http://10.0.0.5/hook" && plain.headers.isEmpty)
    }

    @Test func ntfyTakesItsSelfHostedAndCloudForms() throws {
        let own = try NtfyKind.settings(
            from: AppriseURL.parse("ntfys://alice:pw@ntfy.example:8443/alerts/ops?priority=high&tags=a,b"),
            context: .init())
        #expect(own.serverURL == "https://ntfy.example:8443" && own.topics == ["alerts", "ops"])
        #expect(own.authentication == .basic(user: "alice", password: "pw"))
        #expect(own.fixedPriority == 4 && own.tags == ["a", "b"])
        let cloud = try NtfyKind.settings(from: AppriseURL.parse("ntfy://mytopic"), context: .init())
        #expect(cloud.serverURL == "https://ntfy.sh" && cloud.topics == ["mytopic"] && cloud.authentication == .none)
        let token = try NtfyKind.settings(from: AppriseURL.parse("ntfy://tk_abc@10.0.0.2/t"), context: .init())
        #expect(token.serverURL == "http://10.0.0.2" && token.authentication == .token("tk_abc"))
        let native = try URLChannelCatalog.read("https://ntfy.sh/watch", name: "n", variable: "V", context: .init())
        #expect(native.summary == "n (ntfy, ntfy.sh)")
        #expect(throws: ChannelURLError.invalid("topic (letters, digits, - and _, at most 64)")) {
            try NtfyKind.settings(from: AppriseURL.parse("ntfy://host.example/bad.topic"), context: .init())
        }
    }

    @Test func telegramAndSlackAreTodaysChannelsByAnotherName() throws {
        let context = URLChannelContext(apiBaseURLs: [
            "telegram": "http://127.0.0.1:9", "slack": "http://127.0.0.1:8/api",
        ])
        let group = try URLChannelCatalog.read(
            "tgram://123456:ABC-def_9/-1001234567890:42", name: "ops", variable: "V", context: context)
        #expect(group.summary == "ops (telegram, 127.0.0.1:9)")
        let telegram = try TelegramKind.settings(
            from: AppriseURL.parse(TelegramKind.normalized("tgram://bot123456:ABC-def_9/@alerts?topic=7")),
            context: context)
        #expect(telegram.token == "123456:ABC-def_9" && telegram.chatID == "@alerts" && telegram.threadID == 7)
        #expect(throws: ChannelURLError.invalid("chat list (one chat per channel)")) {
            try URLChannelCatalog.read("tgram://1:A/-1/-2", name: "x", variable: "V", context: context)
        }
        let hook = try SlackKind.settings(from: AppriseURL.parse("slack://T000/B000/XXXX"), context: context)
        #expect(hook == .webhook(Secret("https://hooks.slack.com/services/T000/B000/XXXX")))
        let native = try SlackKind.settings(
            from: AppriseURL.parse("https://hooks.slack.com/services/T000/B000/XXXX"), context: context)
        #expect(native == hook)
        let bot = try SlackKind.settings(from: AppriseURL.parse("slack://watch@xoxb-1-2-abc/#alerts"), context: context)
        #expect(bot == .bot(token: Secret("xoxb-1-2-abc"), channel: "alerts", apiBaseURL: "http://127.0.0.1:8/api"))
        #expect(throws: ChannelURLError.missing("a #channel after the bot token")) {
            try SlackKind.settings(from: AppriseURL.parse("slack://xoxb-1-2-abc"), context: context)
        }
    }

    @Test func gotifyAndMattermostTakeTheLastSegmentAsTheirToken() throws {
        let gotify = try GotifyKind.settings(
            from: AppriseURL.parse("gotifys://push.example:8443/gotify/AbC.123?priority=emergency"), context: .init())
        #expect(gotify.serverURL == "https://push.example:8443/gotify" && gotify.token == "AbC.123")
        #expect(gotify.fixedPriority == 10)
        let mattermost = try MattermostKind.settings(
            from: AppriseURL.parse("mmosts://bot@chat.example/mm/abcdef123?channel=ops"), context: .init())
        #expect(mattermost.hookURL == "https://chat.example/mm/hooks/abcdef123")
        #expect(mattermost.username == "bot" && mattermost.channel == "ops")
        #expect(throws: ChannelURLError.missing("the application token after the host")) {
            try GotifyKind.settings(from: AppriseURL.parse("gotify://push.example"), context: .init())
        }
    }

    @Test func pagerDutyTakesTheIntegrationKeyAndNeverSendsTheAPIKey() throws {
        let key = "R0123456789abcdef0123456789abcde"
        let settings = try PagerDutyKind.settings(
            from: AppriseURL.parse("pagerduty://\(key)@apikey/web/db?region=eu&severity=error&+team=ops"),
            context: .init())
        #expect(settings.routingKey == key && settings.apiBaseURL == "https://events.eu.pagerduty.com")
        #expect(settings.source == "web" && settings.component == "db" && settings.fixedSeverity == "error")
        #expect(settings.details == ["team": "ops"])
        #expect(throws: ChannelURLError.invalid("integration key (32 letters and digits)")) {
            try PagerDutyKind.settings(from: AppriseURL.parse("pagerduty://short@apikey"), context: .init())
        }
    }

    @Test func pushoverTakesItsKeysAndTheEmergencyOptions() throws {
        let user = "u0123456789abcdefghijklmnopqrs"
        let token = "a0123456789abcdefghijklmnopqrs"
        let settings = try PushoverKind.settings(
            from: AppriseURL.parse(
                PushoverKind.normalized("pover://\(user)@\(token)/phone/#tab?priority=emergency&interval=60&expire=600")
            ),
            context: .init())
        #expect(settings.userKey == user && settings.appToken == token && settings.devices == ["phone", "#tab"])
        #expect(settings.emergency && settings.retry == 60 && settings.expire == 600 && settings.fixedPriority == nil)
        let quiet = try PushoverKind.settings(
            from: AppriseURL.parse("pover://\(user)@\(token)?priority=low"), context: .init())
        #expect(!quiet.emergency && quiet.fixedPriority == -2)
        #expect(throws: ChannelURLError.invalid("interval (30 to 10800 seconds)")) {
            try PushoverKind.settings(
                from: AppriseURL.parse("pover://\(user)@\(token)?priority=emergency&interval=5"), context: .init())
        }
    }

    /// Every accepted form, read by Apprise too: both take the same parts from it.
    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseReadsEveryAcceptedFormAsWeDo() async throws {
        let discord = [
            "discord://1180000000000000001/Tok-en_1",
            "discord://bot@1180000000000000001/Tok-en_1?thread=77",
            "discord://1180000000000000001/Tok-en_1?botname=Watch",
            "https://discord.com/api/webhooks/1180000000000000001/Tok-en_1",
            "https://discordapp.com/api/webhooks/1180000000000000001/Tok-en_1",
        ]
        let json = [
            "json://hooks.example/path", "jsons://hooks.example:8443/a/b", "json://u:p%40ss@10.0.0.5:8080/x/y",
            "jsons://hooks.example/hook?+X-Token=abc",
        ]
        let script = """
            import json, sys, apprise
            out = []
            for url in json.load(sys.stdin):
                plugin = apprise.Apprise.instantiate(url)
                if plugin is None:
                    out.append(None); continue
                fields = {}
                for name in ["webhook_id", "webhook_token", "thread_id", "user", "password", "host", "port",
                             "fullpath", "secure", "headers", "topics", "token", "mode", "auth", "bot_token",
                             "targets", "channels", "access_token", "token_a", "token_b", "token_c",
                             "priority", "schema", "integration_key", "source", "component", "region_name",
                             "severity", "user_key", "expire", "interval", "devices"]:
                    value = getattr(plugin, name, None)
                    fields[name] = value if isinstance(value, (str, int, bool, dict, list, type(None))) else str(value)
                out.append(fields)
            print(json.dumps(out))
            """
        let ntfy = [
            "ntfys://alice:pw@ntfy.example:8443/alerts/ops", "ntfy://mytopic", "ntfy://tk_abc@10.0.0.2/t",
            "ntfys://ntfy.example/a?token=tk_x", "https://ntfy.sh/watch", "ntfy://ntfy.sh/one",
        ]
        let telegram = [
            "tgram://123456:ABC-def_9/-1001234567890", "tgram://bot123456:ABC-def_9/@alerts",
            "tgram://123456:ABC-def_9/-1001234567890:42",
        ]
        let slack = [
            "slack://T000/B000/XXXX", "slack://watch@xoxb-1-2-abc/#alerts", "https://hooks.slack.com/services/T0/B0/XX",
        ]
        let gotify = ["gotify://push.example/AbC123", "gotifys://push.example:8443/gotify/AbC123?priority=high"]
        let mattermost = ["mmost://chat.example/abcdef123", "mmosts://bot@chat.example:8443/mm/abcdef123?channel=ops"]
        let pagerduty = [
            "pagerduty://R0123456789abcdef0123456789abcde@apikey",
            "pagerduty://R0123456789abcdef0123456789abcde@apikey/web/db?region=eu&severity=error",
        ]
        let pushover = [
            "pover://u0123456789abcdefghijklmnopqrs@a0123456789abcdefghijklmnopqrs",
            "pover://u0123456789abcdefghijklmnopqrs@a0123456789abcdefghijklmnopqrs/phone?priority=emergency&expire=600&interval=60",
        ]
        let run = try await Apprise.python(
            script,
            input: try JSONSerialization.data(
                withJSONObject: discord + json + ntfy + telegram + slack + gotify + mattermost + pagerduty + pushover))
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n")
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [Any], "\(run.output)")
        #expect(
            parsed.count
                == discord.count + json.count + ntfy.count + telegram.count + slack.count + gotify.count
                + mattermost.count + pagerduty.count + pushover.count)
        for (url, theirs) in zip(discord, parsed) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try DiscordKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(apprise["webhook_id"] as? String == ours.webhookID, "\(url)")
            #expect(apprise["webhook_token"] as? String == ours.token, "\(url)")
            #expect(apprise["thread_id"] as? String == ours.threadID, "\(url)")
            if let user = ours.username { #expect(apprise["user"] as? String == user, "\(url)") }
        }
        for (url, theirs) in zip(json, parsed.dropFirst(discord.count)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let parsedURL = try AppriseURL.parse(url)
            #expect(apprise["host"] as? String == parsedURL.host, "\(url)")
            #expect(apprise["port"] as? Int == parsedURL.port, "\(url)")
            #expect(apprise["user"] as? String == parsedURL.user, "\(url)")
            #expect(apprise["password"] as? String == parsedURL.password, "\(url)")
            #expect(apprise["secure"] as? Bool == parsedURL.isSecure, "\(url)")
            #expect((apprise["fullpath"] as? String) == "/" + parsedURL.path.joined(separator: "/"), "\(url)")
            let headers = (apprise["headers"] as? [String: String]) ?? [:]
            let ours = try JSONWebhookKind.settings(from: parsedURL, context: .init()).headers
                .filter { $0.0 != "Authorization" }
            #expect(Set(headers.keys.map { $0.lowercased() }) == Set(ours.map(\.0)), "\(url)")
        }
        for (url, theirs) in zip(ntfy, parsed.dropFirst(discord.count + json.count)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try NtfyKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(apprise["topics"] as? [String] == ours.topics, "\(url)")
            let cloud = apprise["mode"] as? String == "cloud"
            #expect(cloud == (ours.serverURL == "https://ntfy.sh"), "\(url)")
            if !cloud {
                let scheme = (apprise["secure"] as? Bool) == true ? "https://" : "http://"
                let port = (apprise["port"] as? Int).map { ":\($0)" } ?? ""
                #expect(scheme + (apprise["host"] as? String ?? "") + port == ours.serverURL, "\(url)")
            }
            switch ours.authentication {
            case .token(let token): #expect(apprise["token"] as? String == token, "\(url)")
            case .basic(let user, let password):
                #expect(apprise["user"] as? String == user && apprise["password"] as? String == password, "\(url)")
            case .none: #expect(apprise["token"] as? String == nil || cloud, "\(url)")
            }
        }
        let skip = discord.count + json.count + ntfy.count
        for (url, theirs) in zip(telegram, parsed.dropFirst(skip)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try TelegramKind.settings(
                from: AppriseURL.parse(TelegramKind.normalized(url)), context: .init())
            #expect(apprise["bot_token"] as? String == ours.token, "\(url)")
            // Apprise keeps a topic with its chat ("-100…:42"); a list of (chat, topic) pairs.
            let target = "\(apprise["targets"] ?? "")"
            #expect(
                target.contains(ours.chatID.hasPrefix("@") ? String(ours.chatID.dropFirst()) : ours.chatID), "\(target)"
            )
            if let topic = ours.threadID { #expect(target.contains("\(topic)"), "\(target)") }
        }
        for (url, theirs) in zip(slack, parsed.dropFirst(skip + telegram.count)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            switch try SlackKind.settings(from: AppriseURL.parse(url), context: .init()) {
            case .webhook(let hook):
                let tokens = [apprise["token_a"], apprise["token_b"], apprise["token_c"]].compactMap { $0 as? String }
                #expect(hook.value == SlackKind.hooksURL + "/" + tokens.joined(separator: "/"), "\(url)")
            case .bot(let token, let channel, _):
                #expect(apprise["access_token"] as? String == token.value, "\(url)")
                #expect("\(apprise["channels"] ?? "")".contains(channel), "\(url)")
            }
        }
        func server(_ apprise: [String: Any]) -> String {
            let scheme = (apprise["secure"] as? Bool) == true ? "https://" : "http://"
            let port = (apprise["port"] as? Int).map { ":\($0)" } ?? ""
            return scheme + (apprise["host"] as? String ?? "") + port
                + (apprise["fullpath"] as? String ?? "/").trimmingSuffixSlash
        }
        let skipMore = skip + telegram.count + slack.count
        for (url, theirs) in zip(gotify, parsed.dropFirst(skipMore)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try GotifyKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(apprise["token"] as? String == ours.token, "\(url)")
            #expect(server(apprise) == ours.serverURL, "\(url)")
            if let fixed = ours.fixedPriority { #expect(apprise["priority"] as? Int == fixed, "\(url)") }
        }
        for (url, theirs) in zip(mattermost, parsed.dropFirst(skipMore + gotify.count)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try MattermostKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(server(apprise) + "/hooks/" + (apprise["token"] as? String ?? "") == ours.hookURL, "\(url)")
            // Apprise keeps channels as ("#", name) pairs.
            let targets = apprise["targets"] as? [[String]] ?? []
            #expect(targets.map { $0.last ?? "" } == (ours.channel.map { [$0] } ?? []), "\(url)")
        }
        for (url, theirs) in zip(pagerduty, parsed.dropFirst(skipMore + gotify.count + mattermost.count)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try PagerDutyKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(apprise["integration_key"] as? String == ours.routingKey, "\(url)")
            #expect(apprise["source"] as? String == ours.source ?? "Apprise", "\(url)")
            #expect(apprise["component"] as? String == ours.component ?? "Notification", "\(url)")
            #expect((apprise["region_name"] as? String == "eu") == ours.apiBaseURL.contains(".eu."), "\(url)")
            if let severity = ours.fixedSeverity { #expect(apprise["severity"] as? String == severity, "\(url)") }
        }
        let afterPagerDuty = skipMore + gotify.count + mattermost.count + pagerduty.count
        for (url, theirs) in zip(pushover, parsed.dropFirst(afterPagerDuty)) {
            let apprise = try #require(theirs as? [String: Any], "\(url)")
            let ours = try PushoverKind.settings(
                from: AppriseURL.parse(PushoverKind.normalized(url)), context: .init())
            #expect(apprise["user_key"] as? String == ours.userKey && apprise["token"] as? String == ours.appToken)
            #expect((apprise["priority"] as? Int == 2) == ours.emergency, "\(url)")
            // Apprise names "all devices" ALL_DEVICES; the watchdog sends no device then.
            #expect((apprise["devices"] as? [String] ?? []).filter { $0 != "ALL_DEVICES" } == ours.devices, "\(url)")
            if ours.emergency {
                #expect(apprise["expire"] as? Int == ours.expire, "\(url)")
                #expect(apprise["interval"] as? Int == ours.retry, "\(url)")
            }
        }
    }
}

extension AppriseURLTests {
    /// What Apprise's plugin for each URL holds in `fields` (nil: it takes no such URL).
    func appriseRead(_ urls: [String], fields: [String]) async throws -> [[String: Any]?] {
        let script = """
            import json, sys, apprise
            request = json.load(sys.stdin)
            out = []
            for url in request["urls"]:
                plugin = apprise.Apprise.instantiate(url)
                if plugin is None:
                    out.append(None); continue
                values = {}
                for name in request["fields"]:
                    value = getattr(plugin, name, None)
                    value = list(value) if isinstance(value, tuple) else value
                    values[name] = value if isinstance(value, (str, int, bool, dict, list, type(None))) else str(value)
                out.append(values)
            print(json.dumps(out))
            """
        let run = try await Apprise.python(
            script, input: try JSONSerialization.data(withJSONObject: ["urls": urls, "fields": fields]))
        #expect(run.status == 0, "\(run.output)")
        let last = run.output.split(separator: "\n").last ?? ""
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [Any], "\(run.output)")
        try #require(parsed.count == urls.count)
        return parsed.map { $0 as? [String: Any] }
    }

    @Test func emailTakesApprisesParts() throws {
        let settings = try EmailKind.settings(
            from: AppriseURL.parse(
                "mailtos://bob:pw@example.com:465/ops@example.com/dev@example.org?smtp=mail.example.com&mode=ssl&name=W"
            ),
            context: .init())
        #expect(settings.server == SMTPServer(host: "mail.example.com", port: 465, security: .ssl))
        #expect(settings.credentials == .init(user: "bob", password: "pw"))
        #expect(settings.sender == "bob@example.com" && settings.senderName == "W")
        #expect(settings.recipients == ["ops@example.com", "dev@example.org"])
        let relay = try EmailKind.settings(
            from: AppriseURL.parse("mailto://relay.example.com?from=alerts@example.com"), context: .init())
        #expect(relay.server == SMTPServer(host: "relay.example.com", port: 25, security: .insecure))
        #expect(relay.credentials == nil && relay.recipients == ["alerts@example.com"])
        #expect(throws: ChannelURLError.missing("a sender: user@domain in the URL, or ?from=")) {
            try EmailKind.settings(from: AppriseURL.parse("mailto://relay.example.com"), context: .init())
        }
        #expect(throws: ChannelURLError.invalid("mode (starttls, ssl or insecure)")) {
            try EmailKind.settings(from: AppriseURL.parse("mailtos://a:b@example.com?mode=tls13"), context: .init())
        }
        #expect(throws: ChannelURLError.invalid("recipient (the path's and ?to='s addresses, like ops@example.com)")) {
            try EmailKind.settings(
                from: AppriseURL.parse("mailtos://a:b@example.com?to=x@y%0D%0ABcc:z@evil.example"), context: .init())
        }
    }

    /// Every e-mail form, read by Apprise too: the same server, port, security, login,
    /// sender and recipients.
    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseReadsEveryEmailFormAsWeDo() async throws {
        let urls = [
            "mailtos://alice:pw@example.com?smtp=smtp.example.com",
            "mailto://relay.example.com?from=alerts@example.com&to=ops@example.com",
            "mailtos://bob:pw@example.com:465/ops@example.com/dev@example.org?smtp=mail.example.com&mode=ssl&name=W",
            "mailto://u:p@example.com?smtp=10.0.0.5&port=2525&mode=starttls&to=a@example.com,b@example.com",
            "mailtos://alice%40example.com:pw@mail.example.com",
            // Providers Apprise knows by their domain.
            "mailto://alice:pw@gmail.com", "mailtos://bob:pw@yandex.ru", "mailto://carol%40yandex.ru:pw@yandex.ru",
            "mailto://dave:pw@hotmail.com:2525?mode=ssl", "mailto://erin:pw@office365.com",
            "mailto://frank:pw@sent.com",
            "mailto://gina:pw@gmail.com?smtp=relay.example.com", "mailto://x%40gmail.com:pw@example.org",
            "mailtos://ops+alerts%40sendgrid.net:pw@sendgrid.net",
        ]
        let read = try await appriseRead(
            urls, fields: ["smtp_host", "port", "user", "password", "from_addr", "targets", "secure_mode"])
        for (url, theirs) in zip(urls, read) {
            let apprise = try #require(theirs, "\(url)")
            let ours = try EmailKind.settings(from: AppriseURL.parse(url), context: .init())
            #expect(apprise["smtp_host"] as? String == ours.server.host, "\(url)")
            #expect(apprise["port"] as? Int == ours.server.port, "\(url)")
            #expect(apprise["secure_mode"] as? String == ours.server.security.rawValue, "\(url)")
            #expect(apprise["user"] as? String == ours.credentials?.user, "\(url)")
            #expect(apprise["password"] as? String == ours.credentials?.password, "\(url)")
            #expect((apprise["from_addr"] as? [Any])?.last as? String == ours.sender, "\(url)")
            let targets = (apprise["targets"] as? [[Any]] ?? []).compactMap { $0.last as? String }
            #expect(targets == ours.recipients, "\(url)")
        }
    }
}

extension AppriseURLTests {
    static let workflowsForms = [
        "workflows://host.example/643e69f83c8944438d68119179a10a64/KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A",
        "workflows://host.example:8443/wf_1/sig-2?pa=yes&route=12",
        "workflows://host.example/?id=wf_1&sig=sig-2&ver=2024-01-01",
        "https://prod-161.westeurope.logic.azure.com:443/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A",
        "https://prod-161.westeurope.logic.azure.com:443/powerautomate/automations/direct/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2022-03-01-preview&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A",
        "https://env.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=xyz",
    ]

    @Test func teamsWorkflowsTakeApprisesFormAndTheTriggerURL() throws {
        let short = try URLChannelCatalog.read(
            Self.workflowsForms[1], name: "teams", variable: "WATCHDOG_NOTIFY_TEAMS", context: .init())
        #expect(short.kind == "teams" && short.host == "host.example:8443")
        let native = try TeamsWorkflowsKind.settings(
            from: AppriseURL.parse(Self.workflowsForms[4]), context: .init())
        #expect(native.baseURL == "https://prod-161.westeurope.logic.azure.com:443")
        #expect(native.powerAutomate && native.apiVersion == "2022-03-01-preview")
        #expect(
            native.triggerURL
                == "https://prod-161.westeurope.logic.azure.com:443/powerautomate/automations/direct/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2022-03-01-preview&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A"
        )
        #expect(throws: ChannelURLError.missing("the signature (sig)")) {
            try TeamsWorkflowsKind.settings(from: AppriseURL.parse("workflows://host.example/wf"), context: .init())
        }
        // Any other https URL is not a trigger.
        #expect(
            !TeamsWorkflowsKind.takesNative(
                try AppriseURL.parse("https://evil.example/workflows/a/triggers/manual/paths/invoke?sig=x")))
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseReadsEveryWorkflowsFormAsWeDo() async throws {
        let read = try await appriseRead(
            Self.workflowsForms,
            fields: ["host", "port", "workflow", "signature", "power_automate", "routing_id", "api_version"])
        for (url, theirs) in zip(Self.workflowsForms, read) {
            let apprise = try #require(theirs, "\(url)")
            let ours = try TeamsWorkflowsKind.settings(from: AppriseURL.parse(url), context: .init())
            let port = (apprise["port"] as? Int).map { ":\($0)" } ?? ""
            #expect("https://" + (apprise["host"] as? String ?? "") + port == ours.baseURL, "\(url)")
            #expect(apprise["workflow"] as? String == ours.workflowID, "\(url)")
            #expect(apprise["signature"] as? String == ours.signature, "\(url)")
            #expect(apprise["power_automate"] as? Bool == ours.powerAutomate, "\(url)")
            #expect(apprise["routing_id"] as? String == ours.routingID, "\(url)")
            #expect(apprise["api_version"] as? String == ours.apiVersion, "\(url)")
        }
    }

    /// SPEC §13: `?commands=yes` reads the room; `admins` and `min_power` say who may act.
    @Test func matrixCommandsSayWhoMayAct() throws {
        func read(_ url: String) throws(ChannelURLError) -> MatrixSettings {
            try MatrixKind.settings(from: AppriseURL.parse(url), context: .init())
        }
        let plain = try read("matrix://tok@hs/#ops")
        #expect(!plain.commands && plain.admins.isEmpty && plain.minimumPower == 50)
        let admins = try read("matrix://tok@hs/#ops?commands=yes&admins=@alice:hs,@bob:hs:8448")
        #expect(admins.commands && admins.admins == ["@alice:hs", "@bob:hs:8448"])
        #expect(try read("matrix://tok@hs/#ops?commands=yes&min_power=100").minimumPower == 100)
        for bad in ["admins=alice", "admins=@alice", "admins=@:hs", "min_power=high", "min_power=99999999999"] {
            #expect(throws: ChannelURLError.self, "\(bad)") { try read("matrix://tok@hs/#ops?commands=yes&\(bad)") }
        }
        #expect(
            throws: ChannelURLError.invalid(
                "admins and min_power (they say who may act; add commands=yes to read the room)")
        ) { try read("matrix://tok@hs/#ops?admins=@alice:hs") }
    }

    @Test func matrixTakesATokenAndOneRoom() throws {
        let alias = try MatrixKind.settings(
            from: AppriseURL.parse("matrixs://syt_abc@matrix.example/#ops"), context: .init())
        #expect(
            alias
                == MatrixSettings(
                    homeserverURL: "https://matrix.example", accessToken: "syt_abc", room: "#ops:matrix.example"))
        let id = try MatrixKind.settings(
            from: AppriseURL.parse("matrix://syt_abc@localhost:8008/!abc:localhost"), context: .init())
        #expect(id.homeserverURL == "http://localhost:8008" && id.room == "!abc:localhost")
        #expect(
            throws: ChannelURLError.invalid(
                "login (a user:password login is not taken; give the bot's access token: TOKEN@host)")
        ) {
            try MatrixKind.settings(from: AppriseURL.parse("matrix://bot:pw@localhost/#ops"), context: .init())
        }
        #expect(throws: ChannelURLError.missing("exactly one room after the host (#alias:server or !id:server)")) {
            try MatrixKind.settings(from: AppriseURL.parse("matrix://tok@localhost/#a/#b"), context: .init())
        }
        #expect(throws: ChannelURLError.invalid("mode (only off: the client API with an access token)")) {
            try MatrixKind.settings(from: AppriseURL.parse("matrix://tok@localhost/#a?mode=t2bot"), context: .init())
        }
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseReadsEveryMatrixFormAsWeDo() async throws {
        let urls = [
            "matrixs://syt_abc@matrix.example/#ops:matrix.example", "matrix://syt_abc@localhost:8008/!roomid:localhost",
            "matrixs://syt_abc@matrix.example:8448/#ops",
        ]
        let read = try await appriseRead(urls, fields: ["password", "host", "port", "secure", "rooms"])
        for (url, theirs) in zip(urls, read) {
            let apprise = try #require(theirs, "\(url)")
            let ours = try MatrixKind.settings(from: AppriseURL.parse(url), context: .init())
            // Apprise keeps the token where a password goes.
            #expect(apprise["password"] as? String == ours.accessToken, "\(url)")
            let scheme = (apprise["secure"] as? Bool) == true ? "https://" : "http://"
            let port = (apprise["port"] as? Int).map { ":\($0)" } ?? ""
            #expect(scheme + (apprise["host"] as? String ?? "") + port == ours.homeserverURL, "\(url)")
            // Apprise completes an alias without a server with the host when it sends.
            let room = (apprise["rooms"] as? [String])?.first ?? ""
            #expect(room == ours.room || room + ":" + (apprise["host"] as? String ?? "") == ours.room, "\(url)")
        }
    }
}

@Suite struct URLChannelConfigurationTests {
    static let discord = "discord://1180000000000000001/SECRET-token"

    func load(_ environment: [String: String]) throws(ConfigurationError) -> LoadedConfiguration {
        try Configuration.load(process: environment, workingDirectory: nil, hostName: "box-1")
    }

    func issues(_ environment: [String: String]) -> [ConfigIssue] {
        do {
            _ = try load(environment)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func eachVariableIsAChannelNamedAfterIt() throws {
        let loaded = try load([
            "WATCHDOG_NOTIFY_ONCALL": Self.discord, "WATCHDOG_NOTIFY_Audit_Log": "jsons://audit.example/in",
        ])
        let channels = loaded.configuration.urlChannels
        #expect(channels.map(\.summary) == ["audit_log (webhook, audit.example)", "oncall (discord, discord.com)"])
        #expect(loaded.warnings.isEmpty)
        let built = ChannelCatalog.channels(for: loaded.configuration, logger: .init(label: "test"))
        #expect(built.map(\.name) == ["audit_log", "oncall"])
        #expect(built.allSatisfy { !$0.destination.contains("SECRET") })
        let settings = loaded.effectiveSettings()
        #expect(settings.first { $0.name == "WATCHDOG_NOTIFY_ONCALL" }?.value == "<redacted>")
        #expect(!"\(settings)".contains("SECRET"))
    }

    @Test func aURLMayComeFromAFile() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("oncall", Self.discord + "\n")
        let loaded = try load(["WATCHDOG_NOTIFY_ONCALL_FILE": file])
        #expect(loaded.configuration.urlChannels.map(\.name) == ["oncall"])
        #expect(
            issues(["WATCHDOG_NOTIFY_ONCALL_FILE": file, "WATCHDOG_NOTIFY_ONCALL": Self.discord]).map(\.variable)
                == ["WATCHDOG_NOTIFY_ONCALL"])
    }

    @Test func everyRefusalNamesTheVariableAndNeverShowsTheURL() {
        let cases: [([String: String], String, String)] = [
            (["WATCHDOG_NOTIFY_X": "nosuch://SECRET@host"], "WATCHDOG_NOTIFY_X", "unknown scheme nosuch://"),
            (["WATCHDOG_NOTIFY_X": "discord://abc/SECRET"], "WATCHDOG_NOTIFY_X", "webhook id"),
            (["WATCHDOG_NOTIFY_X": "SECRET"], "WATCHDOG_NOTIFY_X", "not a URL"),
            (["WATCHDOG_NOTIFY_bad-name": Self.discord], "WATCHDOG_NOTIFY_bad-name", "letters, digits and _"),
            (
                [
                    "WATCHDOG_NOTIFY_TELEGRAM": Self.discord, "WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x",
                    "WATCHDOG_TELEGRAM_CHAT_ID": "-1",
                ],
                "WATCHDOG_NOTIFY_TELEGRAM", "names channel telegram, which WATCHDOG_TELEGRAM_BOT_TOKEN configures"
            ),
            (["WATCHDOG_NOTIFY_CONSOLE": Self.discord], "WATCHDOG_NOTIFY_CONSOLE", "names channel console"),
            (
                ["WATCHDOG_NOTIFY_OnCall": Self.discord, "WATCHDOG_NOTIFY_ONCALL": Self.discord],
                "WATCHDOG_NOTIFY_OnCall",
                "names channel oncall, as WATCHDOG_NOTIFY_ONCALL does"
            ),
        ]
        for (environment, variable, words) in cases {
            let found = issues(environment)
            #expect(found.map(\.variable) == [variable], "\(environment.keys)")
            #expect(found.first?.message.contains(words) == true, "\(found)")
            #expect(!"\(found)".contains("SECRET"))
        }
        // Without the Telegram variables, or with them blank (a fresh .env.example), the name is free.
        #expect(issues(["WATCHDOG_NOTIFY_TELEGRAM": Self.discord]).isEmpty)
        #expect(
            issues([
                "WATCHDOG_NOTIFY_TELEGRAM": Self.discord, "WATCHDOG_TELEGRAM_BOT_TOKEN": "",
                "WATCHDOG_TELEGRAM_CHAT_ID": "",
            ]).isEmpty)
    }

    @Test func aMemberIsNoUnknownVariable() throws {
        let loaded = try load(["WATCHDOG_NOTIFY_ONCALL": Self.discord, "WATCHDOG_NOTIFI_X": "y"])
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("WATCHDOG_NOTIFI_X") == true)
    }
}

/// Channels by URL through the built binary: `check-config` lists them without their
/// URLs, `test-notify --channel NAME` reaches each, and a fire and its resolve reach a
/// Telegram chat given as `tgram://`.
@Suite(.serialized) struct URLChannelProcessTests {
    static let discordToken = "Wh-SECRET_token-0123456789"
    static let botToken = "123456:SECRET-bot_token"

    @Test func checkConfigListsEachChannelAndTestNotifyReachesIt() async throws {
        let discord = try await DiscordWebhookStandIn.start(webhookID: "1180000000000000001", token: Self.discordToken)
        defer { Task { await discord.stop() } }
        let ntfy = try await NtfyStandIn.start(tokens: ["tk_SECRETntfy"])
        defer { Task { await ntfy.stop() } }
        let environment = [
            "WATCHDOG_NOTIFY_ONCALL": "discord://1180000000000000001/\(Self.discordToken)",
            "WATCHDOG_DISCORD_API_URL": discord.apiBaseURL,
            "WATCHDOG_NOTIFY_PHONE": "ntfy://tk_SECRETntfy@127.0.0.1:\(ntfy.server.port)/alerts",
        ]
        let checked = try await WatchdogProcess.run(["check-config"], environment: environment)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(
            checked.stdout.contains(
                "channel oncall (discord, 127.0.0.1:\(discord.server.port)) from WATCHDOG_NOTIFY_ONCALL"))
        #expect(
            checked.stdout.contains("channel phone (ntfy, 127.0.0.1:\(ntfy.server.port)) from WATCHDOG_NOTIFY_PHONE"))
        #expect(checked.stdout.contains("WATCHDOG_NOTIFY_ONCALL") && checked.stdout.contains("<redacted>"))

        let sent = try await WatchdogProcess.run(["test-notify", "--channel", "oncall"], environment: environment)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(sent.stdout.contains("oncall → ") && sent.stdout.contains(": ok"))
        #expect(discord.messages.count == 1 && ntfy.messages.isEmpty)
        let both = try await WatchdogProcess.run(["test-notify"], environment: environment)
        #expect(both.status == 0, "\(both.stdout)\(both.stderr)")
        #expect(discord.messages.count == 2 && ntfy.messages.count == 1)
        for output in [checked, sent, both] {
            for secret in [Self.discordToken, "tk_SECRETntfy"] {
                #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
            }
        }
    }

    /// The binary trusts the test CA only through WATCHDOG_CA_FILE: without it the same
    /// mail is refused for the server's certificate.
    @Test(.enabled(if: RealSMTPServer.available || Apprise.required))
    func testNotifyMailsThroughARealServerTrustingWATCHDOG_CA_FILE() async throws {
        let server = try RealSMTPServer()
        var environment = [
            "WATCHDOG_NOTIFY_MAIL":
                "mailtos://\(server.user):\(server.password)@localhost:\(server.port)/ops@example.com?from=watchdog@example.com",
            "WATCHDOG_CA_FILE": server.authority.authorityCertificate,
        ]
        let checked = try await WatchdogProcess.run(["check-config"], environment: environment)
        #expect(checked.stdout.contains("channel mail (e-mail, localhost:\(server.port)) from WATCHDOG_NOTIFY_MAIL"))
        let sent = try await WatchdogProcess.run(["test-notify", "--channel", "mail"], environment: environment)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(server.received().count == 1)
        #expect(server.received().first?.recipients == ["ops@example.com"])

        environment["WATCHDOG_CA_FILE"] = nil
        let untrusted = try await WatchdogProcess.run(["test-notify", "--channel", "mail"], environment: environment)
        #expect(untrusted.status != 0)
        #expect(untrusted.stdout.contains("EHLO: TLS: the server's certificate is not trusted"), "\(untrusted.stdout)")
        #expect(server.received().count == 1)
        for output in [checked, sent, untrusted] {
            #expect(!output.stdout.contains(server.password) && !output.stderr.contains(server.password))
        }

        environment["WATCHDOG_CA_FILE"] = "/nonexistent/ca.pem"
        let missing = try await WatchdogProcess.run(["check-config"], environment: environment)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("WATCHDOG_CA_FILE: cannot read /nonexistent/ca.pem"), "\(missing.stderr)")
    }

    @Test(.enabled(if: RealSynapse.available || Apprise.required))
    func testNotifyPostsToARealSynapseRoom() async throws {
        let synapse = try await RealSynapse.start()
        let room = try await synapse.createRoom(alias: "ops")
        let port = URL(string: synapse.baseURL)?.port ?? 0
        let environment = ["WATCHDOG_NOTIFY_ROOM": "matrix://\(synapse.botToken)@127.0.0.1:\(port)/#ops:localhost"]
        let checked = try await WatchdogProcess.run(["check-config"], environment: environment)
        #expect(checked.stdout.contains("channel room (matrix, 127.0.0.1:\(port)) from WATCHDOG_NOTIFY_ROOM"))
        let sent = try await WatchdogProcess.run(["test-notify", "--channel", "room"], environment: environment)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        let messages = try await synapse.messages(in: room)
        #expect(messages.count == 1)
        #expect((messages.first?["content"] as? [String: Any])?["msgtype"] as? String == "m.notice")
        for output in [checked, sent] {
            #expect(!output.stdout.contains(synapse.botToken) && !output.stderr.contains(synapse.botToken))
        }
    }

    @Test func testNotifyReachesATeamsWorkflowOverHTTPSTrustingWATCHDOG_CA_FILE() async throws {
        let standIn = try await TeamsWorkflowsStandIn.start(workflowID: "wf_1", signature: "SIG-secret_1")
        let environment = [
            "WATCHDOG_NOTIFY_TEAMS": "workflows://localhost:\(standIn.server.port)/wf_1/SIG-secret_1",
            "WATCHDOG_CA_FILE": standIn.authority.authorityCertificate,
        ]
        let sent = try await WatchdogProcess.run(["test-notify", "--channel", "teams"], environment: environment)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(standIn.cards.count == 1)
        #expect(!sent.stdout.contains("SIG-secret_1") && !sent.stderr.contains("SIG-secret_1"))
        await standIn.stop()
    }

    @Test func aBadURLStopsTheStartNamingTheVariableOnly() async throws {
        let refused = try await WatchdogProcess.run(
            ["check-config"], environment: ["WATCHDOG_NOTIFY_ONCALL": "discord://not-digits/\(Self.discordToken)"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("WATCHDOG_NOTIFY_ONCALL: the URL's webhook id (digits) is not valid"))
        #expect(!refused.stderr.contains(Self.discordToken) && !refused.stdout.contains(Self.discordToken))
    }

    @Test func aFireAndItsResolveReachATelegramChatGivenAsAURL() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        down.set(true)
        let dependency = try await ToggledDependency { _ in !down.isSet }
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_NOTIFY_OPS": "tgram://\(Self.botToken)/42", "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL,
                "WATCHDOG_INTERVAL": "1s", "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
                "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100",
            ])
        defer { watchdog.kill() }
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🔴") } })
        #expect(telegram.accepted.first?.text.contains("dependency_down:api") == true)
        down.set(false)
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🟢") } })
        let fire = try #require(telegram.accepted.first)
        #expect(telegram.accepted.last?.replyTo == fire.messageID)
        // The edit follows the resolve, one Telegram pacing gap later.
        #expect(
            await eventually(timeout: .seconds(10)) {
                telegram.currentText(of: fire.messageID)?.contains("RESOLVED") == true
            })
        #expect(!watchdog.stderr.contains("SECRET-bot_token"))
        withExtendedLifetime(dependency) {}
    }
}

extension String {
    /// Without a trailing `/` (Apprise keeps one on a path it rebuilt).
    fileprivate var trimmingSuffixSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
