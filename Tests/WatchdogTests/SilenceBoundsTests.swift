import Foundation
import Notify
import Testing

@testable import Watchdog

/// SPEC §4.1, §12: whatever makes a silence (the environment, a schedule, the API, a
/// chat command, a button) goes through one constructor, so every origin refuses the
/// same over-bound silence with the same reason. One test per origin, each crossing a
/// bound through that origin's own door.
@Suite struct SilenceBoundsTests {
    /// A key of 3,000 bytes: as a matcher, over the 1,000-byte bound of one value.
    static let longEntity = String(repeating: "x", count: 3_000 - "container_down:".count)
    static let longKey = "container_down:" + longEntity

    /// What the API answers for that key as a matcher: the reason every origin must give.
    static func apiReason() async throws -> String {
        let fixture = try await SilenceAPITests().fixture()
        let matchers = #"[{"name":"key","value":"\#(longKey)","isRegex":false,"isEqual":true}]"#
        let answer = await fixture.call(
            "POST", "/api/v2/silences", body: SilenceAPITests().silenceBody(matchers: matchers))
        #expect(answer.status == 400)
        #expect(await fixture.engine.state.silences.isEmpty)
        return try #require(fixture.json(answer) as? String)
    }

    @Test func theAPIRefusesAMatcherOverItsBoundWithTheReason() async throws {
        let reason = try await Self.apiReason()
        #expect(reason == "matcher key has a value over \(LabelMatcher.maximumValueLength) bytes")
    }

    @Test func theChatRefusesTheSameSilenceWithTheAPIsReasonAndStoresNothing() async throws {
        let reason = try await Self.apiReason()
        let fixture = try await ChatConversationTests().fixture(firing: 1)
        defer { Task { await fixture.standIn.stop() } }
        let answers = await fixture.ask("/silence \(Self.longKey) 1h too long")
        #expect(answers.count == 1)
        #expect(answers.first?.text.contains(reason) == true, "\(answers.first?.text.prefix(300) ?? "")")
        #expect(await fixture.engine.state.silences.isEmpty)
    }

    @Test func aChatReasonOverTheTextBoundIsRefusedAsTheAPIRefusesACommentNotCut() async throws {
        let fixture = try await ChatConversationTests().fixture(firing: 1)
        defer { Task { await fixture.standIn.stop() } }
        let comment = String(repeating: "y", count: Silence.maximumTextLength + 1)
        let answers = await fixture.ask("/silence container_down:* 1h \(comment)")
        #expect(answers.first?.text.contains("limited to \(Silence.maximumTextLength) characters") == true)
        #expect(await fixture.engine.state.silences.isEmpty)

        let api = try await SilenceAPITests().fixture()
        let answer = await api.call("POST", "/api/v2/silences", body: SilenceAPITests().silenceBody(comment: comment))
        #expect(answer.status == 400)
        #expect((api.json(answer) as? String)?.contains("limited to \(Silence.maximumTextLength) characters") == true)
    }

    @Test func aButtonOnAKeyOverTheBoundAnswersTheReasonAndStoresNothing() async throws {
        let reason = try await Self.apiReason()
        // A firing key whose matcher is over the bound: its Silence buttons must refuse.
        let entity = String(Self.longEntity.dropLast())
        let fixture = try await ChatConversationTests().fixture(firing: 1, entity: entity)
        defer { Task { await fixture.standIn.stop() } }
        let sent = try await fixture.deliverFire(entity: entity + "0")
        #expect(sent.buttons.count == 3)
        let toast = try #require(await fixture.press(sent.buttons[1], on: sent.messageID))
        // A toast is short: the reason is in it as far as it goes.
        #expect(toast.contains(String(reason.prefix(30))), "\(toast)")
        #expect(await fixture.engine.state.silences.isEmpty)
    }

    @Test func theEnvironmentRefusesTheSameStandingSilenceNamingTheVariable() async throws {
        let reason = try await Self.apiReason()
        do {
            _ = try Configuration.load(process: ["WATCHDOG_MUTE": Self.longKey], workingDirectory: nil, hostName: "h")
            Issue.record("a standing silence over the bound was accepted")
        } catch {
            let issue = try #require(error.issues.first { $0.variable == "WATCHDOG_MUTE" })
            #expect(issue.message.contains(reason), "\(issue.message.prefix(300))")
            #expect(!"\(error)".contains(Self.longKey), "the error quotes the value cut short")
        }
    }

    @Test func aScheduleWhoseMatcherGrowsOverTheBoundIsRefusedNamingTheVariable() async throws {
        let reason = try await Self.apiReason()
        // Within the entry's 1,000 bytes, but the glob becomes a regex with every dot
        // escaped: over the value bound.
        let entry = "daily 00:00-01:00 container_down:*" + String(repeating: "a.", count: 480)
        #expect(entry.utf8.count <= MaintenanceParser.maximumEntryLength)
        do {
            _ = try Configuration.load(
                process: ["WATCHDOG_MAINTENANCE": entry], workingDirectory: nil, hostName: "h")
            Issue.record("a maintenance window over the bound was accepted")
        } catch {
            let issue = try #require(error.issues.first { $0.variable == "WATCHDOG_MAINTENANCE" })
            #expect(issue.message.contains(reason), "\(issue.message.prefix(300))")
        }
    }

    @Test func theConstructorChecksEveryBoundWhateverTheOrigin() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func make(
            _ matchers: [LabelMatcher], by: String = "alice", comment: String = "c", ends: Date? = nil,
            origin: Silence.Origin
        ) -> String? {
            do {
                _ = try Silence(
                    id: "s", matchers: matchers, startsAt: now, endsAt: ends ?? now.addingTimeInterval(60),
                    createdBy: by, comment: comment, origin: origin, updatedAt: now)
                return nil
            } catch {
                return error.reason
            }
        }
        let key = try LabelMatcher(name: "key", op: .equal, value: "container_down:db")
        let everything = try LabelMatcher(name: "key", op: .matchesRegex, value: ".*")
        let over = LabelMatcher.forKey(SignalKey(.containerDown, Self.longEntity))
        for origin in [Silence.Origin.environment, .schedule, .api, .chat] {
            #expect(make([key], origin: origin) == nil)
            #expect(make([], origin: origin) == "at least one matcher is needed")
            #expect(make(Array(repeating: key, count: 21), origin: origin) == "at most 20 matchers")
            #expect(make([over], origin: origin) == "matcher key has a value over 1000 bytes")
            #expect(make([everything], origin: origin)?.contains("must not match the empty string") == true)
            #expect(make([key], by: "", origin: origin) == "createdBy is missing")
            #expect(make([key], comment: String(repeating: "c", count: 501), origin: origin)?.contains("500") == true)
            #expect(make([key], ends: now, origin: origin) == "endsAt must be after startsAt")
        }
    }
}
