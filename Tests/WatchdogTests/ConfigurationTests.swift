import Foundation
import Logging
import TestSupport
import Testing

@testable import Watchdog

@Suite struct ConfigurationTests {
    func load(_ environment: [String: String], directory: String? = nil) throws(ConfigurationError)
        -> LoadedConfiguration
    {
        try Configuration.load(process: environment, workingDirectory: directory, hostName: "box-1")
    }

    func issues(_ environment: [String: String]) -> [ConfigIssue] {
        do {
            _ = try load(environment)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func anEmptyEnvironmentGivesTheDocumentedDefaults() throws {
        let configuration = try load([:]).configuration
        #expect(configuration.interval == .seconds(30))
        #expect(configuration.collectTimeout == .seconds(10))
        #expect(configuration.httpTimeout == .seconds(5))
        #expect(configuration.cooldown == .seconds(1800))
        #expect(configuration.instance == "box-1")
        #expect(configuration.stateFile == "./watchdog-state.json")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 9099))
        #expect(configuration.language == .en)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.collectorFailedAfter == 3)
        #expect(configuration.digestAfter == 5)
        #expect(configuration.mute.isEmpty)
        #expect(configuration.heartbeatURL == nil)
        #expect(configuration.memoryPercent == 90)
        #expect(configuration.procRoot == "/proc")
        #expect(configuration.diskPaths == ["/"])
        #expect(configuration.diskPercent == 90)
    }

    @Test func everyDocumentedDefaultParses() {
        // A family (WATCHDOG_NOTIFY_<NAME>) is no variable of its own: URLChannelConfigurationTests.
        for variable in ConfigVariable.all where variable.familyPrefix == nil {
            #expect(issues([variable.name: variable.defaultValue ?? ""]).isEmpty, "\(variable.name)")
        }
    }

    @Test func valuesAreReadAsTyped() throws {
        let configuration = try load([
            "WATCHDOG_INTERVAL": "1.5m", "WATCHDOG_COOLDOWN": "0", "WATCHDOG_STATE_FILE": "",
            "WATCHDOG_LISTEN": "off", "WATCHDOG_LANG": "RU", "WATCHDOG_LOG_LEVEL": "debug",
            "WATCHDOG_LOG_FORMAT": "json", "WATCHDOG_MUTE": "container_down:db, proc_blocking",
            "WATCHDOG_DISK_PATHS": "/, /data", "WATCHDOG_MEM_PCT": "1", "WATCHDOG_INSTANCE": " prod ",
        ]).configuration
        #expect(configuration.interval == .seconds(90))
        #expect(configuration.cooldown == nil)
        #expect(configuration.stateFile == nil)
        #expect(configuration.listen == nil)
        #expect(configuration.language == .ru)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(
            configuration.mute.map(\.matchers)
                == [SignalKey(.containerDown, "db"), SignalKey(.procBlocking)].map { [LabelMatcher.forKey($0)] })
        #expect(configuration.diskPaths == ["/", "/data"])
        #expect(configuration.memoryPercent == 1)
        #expect(configuration.instance == "prod")
    }

    /// An environment in which `variable`, and only it, is invalid.
    static func invalidEnvironment(for variable: ConfigVariable) -> [String: String]? {
        let bad: String? =
            switch variable.kind {
            case .duration: "abc"
            case .count(let range): range.lowerBound == 0 ? "-1" : "0"
            case .percent: "101"
            case .flag: "maybe"
            case .choice: "klingon"
            case .listenAddress: "nowhere"
            case .url: "ftp://nowhere"
            case .urlList: "http://ok.example, ftp://nowhere"
            case .signalKeys: "no_such_family"
            case .list where variable == .diskPaths: "relative/path"
            case .list where variable == .processPatterns: "re:(unclosed"
            case .text where variable == .envFile: "/no/such/env/file"
            case .text where variable == .telegramChatID: "not a chat"
            case .text where variable == .telegramToken: "has spaces/and slashes"
            case .text where variable == .rules: "no colon here"
            case .text where variable == .restartLoop: "often"
            case .text where variable == .heartbeats: "job"
            case .text where variable == .ec2Filters: "tag:Role"
            case .list where variable == .ec2InstanceIDs: "i-xyz"
            case .text, .list: nil
            // A family: its members are tested in URLChannelConfigurationTests.
            case .channelURL: nil
            }
        guard let bad else { return nil }
        var environment = [variable.name: bad]
        // Telegram's two settings come together; the other one is valid here.
        if variable == .telegramChatID { environment[ConfigVariable.telegramToken.name] = "123:abc" }
        if variable == .telegramToken { environment[ConfigVariable.telegramChatID.name] = "-100" }
        return environment
    }

    @Test func everyInvalidValueIsAnErrorThatNamesItsVariable() {
        var checked = 0
        for variable in ConfigVariable.all {
            guard let environment = Self.invalidEnvironment(for: variable) else { continue }
            let found = issues(environment)
            #expect(found.count == 1, "\(variable.name)")
            #expect(found.first?.variable == variable.name)
            #expect(found.first.map { "\($0)".hasPrefix(variable.name + ": ") } == true)
            checked += 1
        }
        #expect(checked >= 22)
    }

    @Test func telegramNeedsBothTheTokenAndTheChat() {
        #expect(issues(["WATCHDOG_TELEGRAM_CHAT_ID": "-100"]).map(\.variable) == ["WATCHDOG_TELEGRAM_BOT_TOKEN"])
        #expect(issues(["WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x"]).map(\.variable) == ["WATCHDOG_TELEGRAM_CHAT_ID"])
        #expect(issues(["WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x", "WATCHDOG_TELEGRAM_CHAT_ID": "@alerts"]).isEmpty)
    }

    @Test func aBadTokenIsReportedWithoutShowingIt() {
        let found = issues(["WATCHDOG_TELEGRAM_BOT_TOKEN": "12345:s3cr3t with space", "WATCHDOG_TELEGRAM_CHAT_ID": "1"])
        #expect(found.map(\.variable) == ["WATCHDOG_TELEGRAM_BOT_TOKEN"])
        #expect(!"\(found)".contains("s3cr3t"))
    }

    @Test func theConsoleIsTheChannelOnlyWhenNothingElseIsConfiguredUnlessForced() throws {
        func names(_ environment: [String: String]) throws -> [String] {
            ChannelCatalog.channels(for: try load(environment).configuration, logger: LogRecorder().logger()).map(
                \.name)
        }
        let telegram = ["WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x", "WATCHDOG_TELEGRAM_CHAT_ID": "-1"]
        #expect(try names([:]) == ["console"])
        #expect(try names(telegram) == ["telegram"])
        #expect(try names(telegram.merging(["WATCHDOG_CONSOLE": "true"]) { $1 }) == ["telegram", "console"])
        #expect(
            try names([
                "WATCHDOG_SLACK_WEBHOOK_URL": "https://hooks.slack.test/x", "WATCHDOG_WEBHOOK_URL": "http://h/x",
            ])
                == ["slack", "webhook"])
        #expect(try names(["WATCHDOG_CONSOLE": "false"]).isEmpty)
    }

    @Test func theErrorShowsTheBadValueAndWhatWasExpected() {
        let issue = issues(["WATCHDOG_INTERVAL": "abc"]).first
        #expect(
            issue?.description
                == "WATCHDOG_INTERVAL: invalid value \"abc\": expected a duration such as 45s, 15m, 2h or 1d"
                + " (a bare number is seconds), at least 1s")
    }

    @Test func valuesBelowTheMinimumAreErrors() {
        #expect(issues(["WATCHDOG_INTERVAL": "500ms"]).map(\.variable) == ["WATCHDOG_INTERVAL"])
        #expect(
            issues(["WATCHDOG_COLLECTOR_FAILED_AFTER": "1001"]).map(\.variable) == ["WATCHDOG_COLLECTOR_FAILED_AFTER"])
    }

    @Test func allProblemsAreReportedAtOnce() {
        let found = issues(["WATCHDOG_INTERVAL": "x", "WATCHDOG_MEM_PCT": "200", "WATCHDOG_LANG": "de"])
        #expect(Set(found.map(\.variable)) == ["WATCHDOG_INTERVAL", "WATCHDOG_MEM_PCT", "WATCHDOG_LANG"])
        #expect(ConfigurationError(found).description.hasPrefix("3 configuration errors:"))
    }

    @Test func aSecretValueNeverAppearsInTheError() {
        let found = issues(["WATCHDOG_HEARTBEAT_URL": "ftp://hc.example/s3cr3t-t0ken"])
        #expect(found.map(\.variable) == ["WATCHDOG_HEARTBEAT_URL"])
        #expect(!"\(found)".contains("s3cr3t"))
        #expect("\(found)".contains("secret value hidden"))
    }

    @Test func aSecretIsReadFromItsFileVariable() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("heartbeat", "https://hc.example/s3cr3t\n")
        let configuration = try load(["WATCHDOG_HEARTBEAT_URL_FILE": path]).configuration
        #expect(configuration.heartbeatURL?.value == "https://hc.example/s3cr3t")
        #expect("\(configuration.heartbeatURL!)" == "<redacted>")
    }

    @Test func aSecretGivenTwiceOrFromAMissingFileIsAnError() {
        #expect(
            issues(["WATCHDOG_HEARTBEAT_URL": "https://a.test/x", "WATCHDOG_HEARTBEAT_URL_FILE": "/run/secrets/x"])
                .map(\.variable) == ["WATCHDOG_HEARTBEAT_URL"])
        #expect(
            issues(["WATCHDOG_HEARTBEAT_URL_FILE": "/no/such/secret"]).map(\.variable)
                == ["WATCHDOG_HEARTBEAT_URL_FILE"])
    }

    @Test func theEnvFileNextToTheBinaryIsReadAndTheRealEnvironmentWins() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write(".env", "WATCHDOG_INTERVAL=15s\nWATCHDOG_LANG=ru\n")
        let loaded = try load(["WATCHDOG_LANG": "en"], directory: directory.path)
        #expect(loaded.configuration.interval == .seconds(15))
        #expect(loaded.configuration.language == .en)
        let interval = loaded.effectiveSettings().first { $0.name == "WATCHDOG_INTERVAL" }
        #expect(interval?.origin == directory.path + "/.env")
    }

    @Test func anExplicitEnvFileIsUsedAndAMissingOneIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("custom.env", "WATCHDOG_MEM_PCT=42\n")
        #expect(try load(["WATCHDOG_ENV_FILE": path]).configuration.memoryPercent == 42)
        #expect(issues(["WATCHDOG_ENV_FILE": "/no/such.env"]).map(\.variable) == ["WATCHDOG_ENV_FILE"])
    }

    @Test func aMalformedEnvFileIsAnErrorNamingTheLine() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.env", "WATCHDOG_LANG=en\nthis is not a setting\n")
        let found = issues(["WATCHDOG_ENV_FILE": path])
        #expect(found.map(\.variable) == ["WATCHDOG_ENV_FILE"])
        #expect(found.first?.message.contains("line 2: expected KEY=VALUE") == true)
    }

    @Test func unknownVariablesWarnWithTheClosestKnownName() throws {
        let loaded = try load(["WATCHDOG_INTERVALL": "5s", "WATCHDOG_SOMETHING_ELSE_ENTIRELY": "1", "PATH": "/bin"])
        #expect(
            loaded.warnings == [
                "unknown variable WATCHDOG_INTERVALL; did you mean WATCHDOG_INTERVAL?",
                "unknown variable WATCHDOG_SOMETHING_ELSE_ENTIRELY; it is ignored",
            ])
    }

    @Test func secretFileVariantsAreKnownNames() throws {
        #expect(ConfigVariable.knownNames.contains("WATCHDOG_HEARTBEAT_URL_FILE"))
    }

    @Test func variablesEndingInMinTakeBareMinutesAndInSTakeBareSeconds() {
        let minutes = ConfigVariable("WATCHDOG_X_AGE_MIN", .duration(minimum: .zero), default: "60", "x")
        let seconds = ConfigVariable("WATCHDOG_X_COOLDOWN_S", .duration(minimum: .zero), default: "60", "x")
        #expect(minutes.bareNumberUnitSeconds == 60)
        #expect(seconds.bareNumberUnitSeconds == 1)
        #expect(minutes.expected.contains("a bare number is minutes"))
    }

    @Test func checkConfigRedactsSecretsAndShowsWhereValuesCameFrom() throws {
        let loaded = try load(["WATCHDOG_HEARTBEAT_URL": "https://hc.example/s3cr3t", "WATCHDOG_MEM_PCT": "80"])
        let settings = loaded.effectiveSettings()
        #expect(settings.map(\.name) == ConfigVariable.all.map(\.name))
        #expect(!"\(settings)".contains("s3cr3t"))
        #expect(settings.first { $0.name == "WATCHDOG_HEARTBEAT_URL" }?.value == "<redacted>")
        #expect(
            settings.first { $0.name == "WATCHDOG_MEM_PCT" }
                == .init(name: "WATCHDOG_MEM_PCT", value: "80", origin: "environment"))
        #expect(settings.first { $0.name == "WATCHDOG_INTERVAL" }?.origin == "default")
        #expect(settings.first { $0.name == "WATCHDOG_INSTANCE" }?.value == "box-1")
    }

    /// Every secret, the API token included, is redacted wherever the settings are shown.
    @Test func everySecretIsRedactedInTheEffectiveSettings() throws {
        let secrets = ConfigVariable.all.filter(\.isSecret)
        #expect(secrets.contains { $0.name == "WATCHDOG_API_TOKEN" })
        for family in secrets where family.familyPrefix != nil {
            let member = family.name.replacing("<NAME>", with: "X")
            let shown = try load([member: "discord://1/p4ss-1"]).effectiveSettings()
            #expect(!"\(shown)".contains("p4ss-"), "\(member)")
            #expect(shown.first { $0.name == member }?.value == "<redacted>", "\(member)")
        }
        for variable in secrets where variable.familyPrefix == nil {
            var environment = [variable.name: variable.kind == .url ? "https://example.test/p4ss-1" : "p4ss-1"]
            if variable.name == "WATCHDOG_DEPS" { environment[variable.name] = "api=https://example.test/p4ss-1" }
            if variable.name == "WATCHDOG_TELEGRAM_BOT_TOKEN" { environment["WATCHDOG_TELEGRAM_CHAT_ID"] = "123" }
            if variable.name == "WATCHDOG_SLACK_BOT_TOKEN" { environment["WATCHDOG_SLACK_CHANNEL"] = "C0123" }
            let loaded = try load(environment)
            let shown = loaded.effectiveSettings()
            #expect(!"\(shown)".contains("p4ss-"), "\(variable.name)")
            #expect(shown.first { $0.name == variable.name }?.value == "<redacted>", "\(variable.name)")
        }
        let token = try load(["WATCHDOG_API_TOKEN": "api-s3cr3t"])
        #expect(token.configuration.apiToken?.value == "api-s3cr3t")
        #expect(!"\(token.effectiveSettings())".contains("api-s3cr3t"))
    }

    @Test func heartbeatsAreNamedWindows() throws {
        let configuration = try load(["WATCHDOG_HEARTBEATS": " nightly-backup=26h, agent.1=30s "]).configuration
        #expect(
            configuration.heartbeats == [
                HeartbeatWindow(name: "nightly-backup", window: .seconds(26 * 3600)),
                HeartbeatWindow(name: "agent.1", window: .seconds(30)),
            ])
        #expect(try load([:]).configuration.heartbeats.isEmpty)
    }

    @Test(arguments: [
        ("job", "\"job\" is not name=window"),
        ("bad name=1h", "\"bad name\" is not a name"),
        ("job=soon", "the window of job, \"soon\", is not a duration of at least 1s"),
        ("job=0s", "the window of job"),
        ("job=1h,job=2h", "heartbeat job is listed twice"),
    ])
    func badHeartbeatsAreErrorsNamingTheEntry(value: String, message: String) {
        let found = issues(["WATCHDOG_HEARTBEATS": value])
        #expect(found.map(\.variable) == ["WATCHDOG_HEARTBEATS"])
        #expect(found.first?.message.contains(message) == true, "\(found)")
    }

    @Test func heartbeatsNeedTheEndpointAndATokenWhenItIsReachableFromOutside() {
        #expect(
            issues(["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "off"]).map(\.description) == [
                "WATCHDOG_HEARTBEATS: needs the HTTP endpoint, but WATCHDOG_LISTEN is off"
            ])
        #expect(
            issues(["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "0.0.0.0:9099"]).map(\.variable) == [
                "WATCHDOG_PING_TOKEN"
            ])
        #expect(
            issues(["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "[::]:9099"]).map(\.variable) == [
                "WATCHDOG_PING_TOKEN"
            ])
        #expect(
            issues([
                "WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "0.0.0.0:9099", "WATCHDOG_PING_TOKEN": "t",
            ]).isEmpty)
        #expect(issues(["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "127.0.0.1:9099"]).isEmpty)
        #expect(issues(["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "[::1]:9099"]).isEmpty)
        // Without heartbeats nothing needs a token, wherever it listens.
        #expect(issues(["WATCHDOG_LISTEN": "0.0.0.0:9099"]).isEmpty)
    }

    @Test func theProcessScanIsOffByDefaultAndReadsItsSettingsWhenOn() throws {
        let standard = try load([:]).configuration
        #expect(standard.processes == nil)
        #expect(standard.processCooldown == .seconds(1800))
        let configuration = try load([
            "WATCHDOG_PROC_ENABLED": "true", "WATCHDOG_PROC_PATTERNS": "pytest, re:^python3? -m unittest",
            "WATCHDOG_PROC_AGE_MIN": "90", "WATCHDOG_PROC_COOLDOWN_S": "0",
        ]).configuration
        let processes = try #require(configuration.processes)
        #expect(processes.minimumAge == .seconds(90 * 60))
        #expect(processes.patterns.matches("python -m unittest discover"))
        #expect(processes.patterns.matches("/venv/bin/pytest -x"))
        #expect(!processes.patterns.matches("sleep 100"))
        #expect(configuration.processCooldown == nil)
        #expect(DecisionSettings(configuration).policies.policy(for: .procBlocking).repeatEvery == nil)
    }

    @Test func aBadProcessPatternIsAnErrorNamingIt() {
        #expect(
            issues(["WATCHDOG_PROC_PATTERNS": "pytest,re:[z-a]"]).map(\.description) == [
                "WATCHDOG_PROC_PATTERNS: \"[z-a]\" is not a regular expression: a class range is backwards or not a range"
            ])
        #expect(
            issues(["WATCHDOG_PROC_ENABLED": "true", "WATCHDOG_PROC_PATTERNS": " , "]).map(\.variable) == [
                "WATCHDOG_PROC_PATTERNS"
            ])
    }

    @Test func thePingTokenIsASecret() throws {
        let loaded = try load(["WATCHDOG_PING_TOKEN": "pt-s3cr3t"])
        #expect(loaded.configuration.pingToken?.value == "pt-s3cr3t")
        #expect(!"\(loaded.effectiveSettings())".contains("s3cr3t"))
    }

    @Test func ec2IsOffUntilInstancesOrFiltersAreNamed() throws {
        #expect(try load([:]).configuration.ec2 == nil)
        #expect(try load(["AWS_REGION": "eu-west-1", "WATCHDOG_EC2_CPU_PCT": "80"]).configuration.ec2 == nil)
    }

    @Test func ec2ReadsItsVariablesAndAWSsOwn() throws {
        let ec2 = try #require(
            try load([
                "WATCHDOG_EC2_INSTANCE_IDS": "i-12345678, i-0123456789abcdef0",
                "WATCHDOG_EC2_FILTERS": "tag:Role=worker;instance-state-name=running,stopped",
                "WATCHDOG_EC2_INTERVAL": "2m", "WATCHDOG_EC2_TRANSIENT_GRACE": "0", "WATCHDOG_EC2_CPU_PCT": "85%",
                "WATCHDOG_EC2_MEM_PCT": "92.5",
                "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "aws-s3cr3t", "HOME": "/home/wd", "PATH": "/bin",
            ]).configuration.ec2)
        #expect(ec2.instanceIDs == ["i-12345678", "i-0123456789abcdef0"])
        #expect(ec2.filters.map(\.name) == ["tag:Role", "instance-state-name"])
        #expect(ec2.region == "eu-central-1")
        #expect(ec2.interval == .seconds(120))
        #expect(ec2.transientGrace == .zero)
        #expect(ec2.cpuPercent == 85)
        #expect(ec2.memoryPercent == 92.5)
        // The credential chain sees AWS's variables and HOME, nothing else.
        #expect(
            ec2.awsEnvironment.keys.sorted() == [
                "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_SECRET_ACCESS_KEY", "HOME",
            ])
        #expect(
            try load(["WATCHDOG_EC2_FILTERS": "tag:Role=worker", "AWS_REGION": "us-east-1"]).configuration.ec2?.region
                == "us-east-1")
    }

    @Test func ec2ProblemsNameTheirVariables() {
        #expect(
            issues(["WATCHDOG_EC2_INSTANCE_IDS": "i-12345678"]).map(\.description)
                == [
                    "AWS_REGION: is required (or AWS_DEFAULT_REGION) when WATCHDOG_EC2_INSTANCE_IDS or WATCHDOG_EC2_FILTERS is set"
                ])
        #expect(
            issues(["WATCHDOG_EC2_INSTANCE_IDS": "i-12345678", "AWS_REGION": "eu west"]).map(\.variable) == [
                "AWS_REGION"
            ])
        #expect(
            issues([
                "WATCHDOG_EC2_INSTANCE_IDS": "i-12345678", "AWS_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL_EC2": "localhost:5000",
            ]).map(\.variable) == ["AWS_ENDPOINT_URL_EC2"])
        #expect(
            issues(["WATCHDOG_EC2_FILTERS": "tag:Role=worker;state", "AWS_REGION": "eu-west-1"]).map(\.variable)
                == ["WATCHDOG_EC2_FILTERS"])
    }

    @Test func awsCredentialsComeFromTheEnvFileTooAndAreNeverShown() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "watchdog.env",
            "WATCHDOG_EC2_INSTANCE_IDS=i-12345678\nAWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=AKIDEXAMPLE\nAWS_SECRET_ACCESS_KEY=aws-s3cr3t\n"
        )
        let loaded = try load(["WATCHDOG_ENV_FILE": path])
        #expect(loaded.configuration.ec2?.awsEnvironment["AWS_SECRET_ACCESS_KEY"] == "aws-s3cr3t")
        #expect(!"\(loaded.effectiveSettings())".contains("aws-s3cr3t"))
        #expect(!"\(loaded.configuration)".contains("aws-s3cr3t"))
    }

    @Test func variableNamesAreUniqueAndPrefixed() {
        let names = ConfigVariable.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.hasPrefix("WATCHDOG_") })
    }
}
