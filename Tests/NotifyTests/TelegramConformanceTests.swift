import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing

/// The Swift stand-in answers sendMessage as the shared table says, the same table the
/// harness's Python stand-in is held to (scripts/harness/tests/test_telegram.py): one
/// behaviour for both, so they cannot drift apart unnoticed.
@Suite struct TelegramConformanceTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let text: String?
        let repeatCount: Int?
        let parseMode: String?
        let omit: [String]?
        let wrongToken: Bool?
        let method: String?
        let status: Int
        let description: String?

        enum CodingKeys: String, CodingKey {
            case name, text, omit, method, status, description
            case repeatCount = "repeat"
            case parseMode = "parse_mode"
            case wrongToken = "wrong_token"
        }

        var testDescription: String { name }

        func body(chatID: String) throws -> Data {
            var body: [String: Any] = [
                "chat_id": chatID, "text": String(repeating: text ?? "", count: repeatCount ?? 1),
            ]
            if let parseMode { body["parse_mode"] = parseMode }
            for field in omit ?? [] { body.removeValue(forKey: field) }
            return try JSONSerialization.data(withJSONObject: body)
        }
    }

    static let table = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestSupport/TelegramConformance/sendMessage.json")

    static func cases() throws -> [Case] {
        struct Table: Decodable { let cases: [Case] }
        return try JSONDecoder().decode(Table.self, from: Data(contentsOf: table)).cases
    }

    @Test func theTableHasCasesOfEveryKind() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 10)
        #expect(cases.contains { $0.status == 200 })
        #expect(cases.contains { $0.status == 400 })
    }

    @Test func theStandInAnswersEveryCaseAsTelegramDoes() async throws {
        let token = "123456:CONFORMANCE-token"
        let standIn = try await TelegramStandIn.start(token: token)
        defer { Task { await standIn.stop() } }
        let cases = try Self.cases()
        for entry in cases {
            let usedToken = entry.wrongToken == true ? "1:wrong" : token
            var request = HTTPClientRequest(
                url: "\(standIn.baseURL)/bot\(usedToken)/\(entry.method ?? "sendMessage")")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try entry.body(chatID: "424242")))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let answer = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            #expect(Int(response.status.code) == entry.status, "\(entry.name)")
            #expect(answer?["ok"] as? Bool == (entry.status == 200), "\(entry.name)")
            if let description = entry.description {
                #expect(answer?["description"] as? String == description, "\(entry.name)")
            }
        }
        #expect(standIn.accepted.count == cases.filter { $0.status == 200 }.count)
    }
}
