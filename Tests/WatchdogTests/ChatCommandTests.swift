import Foundation
import Notify
import Testing

@testable import Watchdog

/// SPEC §13 and §12 as pure functions: what a chat line asks, who may ask it, and how
/// an update from the Bot API is read.
@Suite struct ChatCommandTests {
    @Test func commandsAreReadWithOrWithoutTheBotsName() {
        #expect(ChatCommand.parse("/status", botName: "wd_bot") == .status)
        #expect(ChatCommand.parse("/status@WD_bot", botName: "wd_bot") == .status)
        #expect(ChatCommand.parse("/status@other_bot", botName: "wd_bot") == .ignored)
        #expect(ChatCommand.parse("/silences", botName: nil) == .silences)
        #expect(ChatCommand.parse("/help", botName: nil) == .help)
        #expect(ChatCommand.parse("hello /status", botName: nil) == .ignored)
        #expect(ChatCommand.parse("/deploy", botName: "wd_bot") == .ignored)
        if case .invalid = ChatCommand.parse("/deploy@wd_bot", botName: "wd_bot") {
        } else {
            Issue.record("addressed unknown")
        }
    }

    @Test func silenceTakesMatchersADurationUpTo30DaysAndAReason() throws {
        let parsed = ChatCommand.parse("/silence container_down:web-*,dependency_down 2h deploy of web", botName: nil)
        let expected = ChatCommand.silence(
            matchers: [try #require(SignalKey(parsing: "container_down:web-*")), SignalKey(.dependencyDown)],
            duration: .seconds(7_200), reason: "deploy of web")
        #expect(parsed == expected)
        for bad in [
            "/silence", "/silence disk_full", "/silence nonsense 1h", "/silence disk_full 31d", "/silence disk_full 0m",
            "/silence disk_full soon",
        ] {
            guard case .invalid = ChatCommand.parse(bad, botName: nil) else {
                Issue.record("\(bad) was accepted")
                continue
            }
        }
        #expect(ChatCommand.parse("/silence disk_full 30d", botName: nil) != .ignored)
    }

    @Test func ackAndUnsilenceTakeOneArgument() {
        #expect(ChatCommand.parse("/ack disk_full:/data", botName: nil) == .ack(SignalKey(.diskFull, "/data")))
        #expect(ChatCommand.parse("/unsilence chat-1a2b3c4d", botName: nil) == .unsilence(id: "chat-1a2b3c4d"))
        for bad in ["/ack", "/ack a b", "/ack container_down:*", "/unsilence", "/unsilence a b"] {
            guard case .invalid = ChatCommand.parse(bad, botName: nil) else {
                Issue.record("\(bad) was accepted")
                continue
            }
        }
    }

    @Test func buttonDataIsReadBackOrRefused() {
        #expect(ButtonRequest(data: "ack:abc") == .ack(buttonID: "abc"))
        #expect(ButtonRequest(data: "s1h:abc") == .silence(buttonID: "abc", duration: .seconds(3_600)))
        #expect(ButtonRequest(data: "s1d:abc") == .silence(buttonID: "abc", duration: .seconds(86_400)))
        #expect(
            ButtonRequest(data: "rm:abc") == nil && ButtonRequest(data: "ack:") == nil
                && ButtonRequest(data: "x") == nil)
    }

    /// Every refusal of SPEC §12: another chat, another topic, a member not among the
    /// admins, a message without a sender while admins are set.
    @Test func onlyTheConfiguredChatTopicAndAdminsMayAct() {
        let open = ChatAuthorization(admins: [], threadID: nil)
        let alice = TelegramUpdate.Sender(id: 7, username: "Alice")
        let mallory = TelegramUpdate.Sender(id: 9, username: "mallory")
        #expect(open.check(sender: mallory, chat: -100, thread: nil, chatID: "-100") == .allowed)
        #expect(open.check(sender: alice, chat: -200, thread: nil, chatID: "-100") == .elsewhere)
        #expect(open.check(sender: alice, chat: nil, thread: nil, chatID: "-100") == .elsewhere)
        let topic = ChatAuthorization(admins: [], threadID: 5)
        #expect(topic.check(sender: alice, chat: -100, thread: 5, chatID: "-100") == .allowed)
        #expect(topic.check(sender: alice, chat: -100, thread: 6, chatID: "-100") == .refused(reason: "another topic"))
        #expect(
            topic.check(sender: alice, chat: -100, thread: nil, chatID: "-100") == .refused(reason: "another topic"))
        let admins = ChatAuthorization(admins: ["alice", "9000"], threadID: nil)
        #expect(admins.check(sender: alice, chat: -100, thread: nil, chatID: "-100") == .allowed)
        #expect(admins.check(sender: .init(id: 9000), chat: -100, thread: nil, chatID: "-100") == .allowed)
        #expect(
            admins.check(sender: mallory, chat: -100, thread: nil, chatID: "-100")
                == .refused(reason: "not in WATCHDOG_TELEGRAM_ADMINS"))
        #expect(admins.check(sender: nil, chat: -100, thread: nil, chatID: "-100") == .refused(reason: "no sender"))
        // A username is no id: "9" does not make user 9 an admin of "9000".
        #expect(admins.check(sender: .init(id: 900), chat: -100, thread: nil, chatID: "-100") != .allowed)
    }

    @Test func updatesAreReadLenientlyAndAnOddOneIsSkippedNotRetried() throws {
        let body = #"""
            {"ok":true,"result":[
              {"update_id":10,"message":{"message_id":3,"chat":{"id":-100},"from":{"id":7,"username":"alice","first_name":"A"},"text":"/status"}},
              {"update_id":11,"edited_message":{"message_id":3}},
              {"update_id":12,"callback_query":{"id":"q1","from":{"id":7,"first_name":"A"},"data":"ack:x","message":{"message_id":4,"chat":{"id":-100}}}},
              {"update_id":13,"message":{"message_id":"not a number"}},
              {"no_id":true}
            ]}
            """#
        let updates = try #require(TelegramUpdate.list(from: Array(body.utf8)))
        #expect(updates.map(\.updateID) == [10, 11, 12, 13])
        #expect(updates[0].message?.text == "/status" && updates[0].message?.sender?.shownName == "@alice")
        #expect(updates[1].message == nil && updates[1].callback == nil)
        #expect(updates[2].callback?.data == "ack:x" && updates[2].callback?.sender.shownName == "A")
        #expect(updates[3].message == nil)
        #expect(TelegramUpdate.list(from: Array(#"{"ok":false}"#.utf8)) == nil)
        #expect(TelegramUpdate.list(from: Array("<html>".utf8)) == nil)
        #expect(TelegramUpdate.botName(from: Array(#"{"ok":true,"result":{"username":"wd_bot"}}"#.utf8)) == "wd_bot")
    }

    @Test func chatConfigurationErrorsNameTheirVariable() {
        func issues(_ environment: [String: String]) -> [String] {
            do {
                _ = try Configuration.load(process: environment, workingDirectory: nil, hostName: "box-1")
                return []
            } catch {
                return error.issues.map(\.description)
            }
        }
        let telegram = ["WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x", "WATCHDOG_TELEGRAM_CHAT_ID": "-100"]
        #expect(
            issues(telegram.merging(["WATCHDOG_TELEGRAM_ADMINS": "@alice,bob,-5"]) { a, _ in a }).filter {
                $0.hasPrefix("WATCHDOG_TELEGRAM_ADMINS")
            }.count == 2)
        #expect(issues(telegram.merging(["WATCHDOG_TELEGRAM_ADMINS": "@alice_1,12345"]) { a, _ in a }).isEmpty)
        #expect(
            issues(["WATCHDOG_TELEGRAM_COMMANDS": "true"]).first?.hasPrefix("WATCHDOG_TELEGRAM_COMMANDS: needs") == true
        )
        #expect(
            issues([
                "WATCHDOG_TELEGRAM_COMMANDS": "true", "WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x",
                "WATCHDOG_TELEGRAM_CHAT_ID": "@news",
            ]).first?.contains("numeric") == true)
        #expect(
            issues(["WATCHDOG_SLACK_BOT_TOKEN": "xoxb-1"]) == [
                "WATCHDOG_SLACK_CHANNEL: is required with WATCHDOG_SLACK_BOT_TOKEN"
            ])
        let both = issues([
            "WATCHDOG_SLACK_BOT_TOKEN": "xoxb-1", "WATCHDOG_SLACK_CHANNEL": "C1",
            "WATCHDOG_SLACK_WEBHOOK_URL": "https://hooks.slack.test/T/B/secret",
        ])
        #expect(both.count == 1 && both[0].hasPrefix("WATCHDOG_SLACK_WEBHOOK_URL") && !both[0].contains("secret"))
    }
}
