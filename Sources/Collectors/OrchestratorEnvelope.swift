import Foundation

/// The orchestrator's JSON metrics envelope, `schema_version` 1 (SPEC §9.1).
public struct OrchestratorEnvelope: Sendable, Encodable, Equatable {
    public struct Agent: Sendable, Encodable, Equatable {
        public let runID: String
        public let jobID: String?
        public let pid: Int?
        public let cpuTicks: Int
        public let startedAt: Date?
    }

    public let generatedAt: Date
    /// Queue counts by state (`queued`, `running`, `failed`, `done`, and any other).
    public let counts: [String: Int]
    public let agents: [Agent]

    public static let supportedVersion = 1

    /// Parses the envelope; anything else is an error that says precisely what is wrong.
    /// Unknown fields are ignored.
    public static func parse(_ body: [UInt8]) throws -> OrchestratorEnvelope {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            throw CollectorError("orchestrator: the body is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw CollectorError("orchestrator: the body is not a JSON object")
        }
        guard let version = object["schema_version"] as? Int else {
            throw CollectorError("orchestrator: no schema_version in the envelope")
        }
        guard version <= supportedVersion else {
            throw CollectorError(
                "orchestrator: schema_version \(version) is newer than the \(supportedVersion) this watchdog reads")
        }
        guard let generatedAt = date(object["generated_at"]) else {
            throw CollectorError("orchestrator: generated_at is missing or not a time (RFC 3339 or epoch seconds)")
        }
        var counts: [String: Int] = [:]
        for (state, value) in (object["queue"] as? [String: Any])?["counts"] as? [String: Any] ?? [:] {
            if let number = value as? Int { counts[String(state.prefix(64))] = number }
        }
        var agents: [Agent] = []
        for (index, item) in ((object["agents"] as? [Any]) ?? []).prefix(10_000).enumerated() {
            guard let agent = item as? [String: Any], let runID = agent["run_id"] as? String, !runID.isEmpty,
                let ticks = agent["cpu_ticks"] as? Int
            else {
                throw CollectorError("orchestrator: agents[\(index)] needs run_id and cpu_ticks")
            }
            agents.append(
                Agent(
                    runID: String(runID.prefix(200)),
                    jobID: (agent["job_id"] as? String).map { String($0.prefix(200)) },
                    pid: agent["pid"] as? Int, cpuTicks: ticks, startedAt: date(agent["started_at"])))
        }
        return OrchestratorEnvelope(generatedAt: generatedAt, counts: counts, agents: agents)
    }

    /// RFC 3339 (fractions allowed) or epoch seconds.
    static func date(_ value: Any?) -> Date? {
        if let number = value as? NSNumber, !(value is Bool) {
            let seconds = number.doubleValue
            return seconds.isFinite ? Date(timeIntervalSince1970: seconds) : nil
        }
        guard let text = value as? String else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
