import Foundation
import FoundationGaps
import Testing

@testable import Notify

@Suite struct ConsoleRendererTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func notification(_ action: NotificationAction, after seconds: Double = 0, detail: String = "93% used")
        -> AlertNotification
    {
        AlertNotification(
            id: "disk_full:/data@1:\(action.rawValue)", action: action, severity: .critical,
            family: "disk_full", entity: "/data", title: "Disk /data is almost full", detail: detail,
            instance: "host-1", startedAt: start, at: start.addingTimeInterval(seconds))
    }

    @Test func firedLineHasIconKeyTitleDetailSinceAndInstance() {
        let line = ConsoleRenderer(language: .en).render(notification(.fire))
        #expect(
            line
                == "🔴 FIRING [critical] disk_full:/data · Disk /data is almost full · 93% used"
                + " · since 2026-11-18T11:06:40Z · instance host-1")
    }

    @Test func resolvedLineSaysHowLongTheProblemLasted() {
        let line = ConsoleRenderer(language: .en).render(notification(.resolve, after: 312))
        #expect(line.hasPrefix("🟢 RESOLVED [critical] disk_full:/data"))
        #expect(line.contains("lasted 5m 12s"))
        #expect(!line.contains("since"))
    }

    @Test func aReportIsOneLineWithItsFactsKeptApart() {
        let line = ConsoleRenderer(language: .en).render(
            notification(.report, detail: "from a to b\n3 incidents: 1 critical, 2 warning\nnothing fires now"))
        #expect(line.hasPrefix("📋 REPORT [critical]"))
        #expect(line.contains(" · from a to b · 3 incidents: 1 critical, 2 warning · nothing fires now · "))
        #expect(!line.contains("\n"))
    }

    @Test func repeatUsesItsOwnIcon() {
        #expect(ConsoleRenderer(language: .en).render(notification(.repeat)).hasPrefix("🔁 STILL FIRING"))
    }

    @Test func russianRendering() {
        let line = ConsoleRenderer(language: .ru).render(notification(.resolve, after: 90))
        #expect(line.hasPrefix("🟢 РЕШЕНО"))
        #expect(line.contains("длилось 1m 30s"))
        #expect(line.contains("хост host-1"))
    }

    @Test func outsideTextCannotBreakTheOneLinePerNotificationRule() {
        let line = ConsoleRenderer(language: .en).render(notification(.fire, detail: "a\nb\r\nc"))
        #expect(!line.contains("\n"))
        #expect(!line.contains("\r"))
    }

    @Test(arguments: [
        (0.0, "0s"), (45, "45s"), (60, "1m"), (312, "5m 12s"), (3600, "1h"), (7380, "2h 3m"),
        (86_400, "1d"), (100_800, "1d 4h"), (-5, "0s"),
    ])
    func durationsAreShortAndHuman(seconds: Double, text: String) {
        #expect(DurationText.format(seconds: seconds) == text)
    }

    @Test func resolvedNotificationsCarryTheirDuration() {
        #expect(notification(.resolve, after: 60).duration == 60)
        #expect(notification(.fire, after: 60).duration == nil)
    }

    @Test func consoleChannelWritesOneLinePerNotification() async throws {
        let pipe = Pipe()
        let channel = ConsoleChannel(
            language: .en, output: OutputDescriptor(descriptor: pipe.fileHandleForWriting.fileDescriptor))
        #expect(await channel.send(channel.render(.single(notification(.fire)))[0]) == .delivered)
        #expect(await channel.send(channel.render(.single(notification(.resolve, after: 5)))[0]) == .delivered)
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: try pipe.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("🔴") && lines[1].hasPrefix("🟢"))
    }
}
