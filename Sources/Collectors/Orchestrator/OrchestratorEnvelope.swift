import FoundationEssentials

/// The orchestrator's JSON metrics envelope, `schema_version` 1 (SPEC §9.1).
public struct OrchestratorEnvelope: Sendable, Encodable, Equatable {
    public struct Agent: Sendable, Encodable, Equatable {
        public let runID: String
        public let jobID: String?
        public let pid: Int?
        public let cpuTicks: Int
        public let startedAt: Date?

        public init(runID: String, jobID: String?, pid: Int?, cpuTicks: Int, startedAt: Date?) {
            self.runID = runID
            self.jobID = jobID
            self.pid = pid
            self.cpuTicks = cpuTicks
            self.startedAt = startedAt
        }
    }

    public let generatedAt: Date
    /// Queue counts by state (`queued`, `running`, `failed`, `done`, and any other).
    public let counts: [String: Int]
    /// The first `maximumAgents` agents of the envelope.
    public let agents: [Agent]
    /// How many agents the envelope listed: more than `agents.count` when it was cut.
    public let agentsListed: Int
    /// How many queue states the envelope listed: more than `counts.count` when some
    /// were past `maximumCounts`.
    public let countsListed: Int

    public static let supportedVersion = 1
    /// Agents watched per envelope. Each is a key with a sample kept in the state file;
    /// an orchestrator listing more is told about in the log, and the first ones are
    /// watched (docs/limits.md).
    public static let maximumAgents = 500
    /// Queue states read per envelope.
    public static let maximumCounts = 64

    public init(
        generatedAt: Date, counts: [String: Int], agents: [Agent], agentsListed: Int? = nil, countsListed: Int? = nil
    ) {
        self.countsListed = countsListed ?? counts.count
        self.generatedAt = generatedAt
        self.counts = counts
        self.agents = agents
        self.agentsListed = agentsListed ?? agents.count
    }

    /// Parses the envelope; anything else is an error that says precisely what is wrong.
    /// Unknown fields are ignored. The decoder's own index of the body is a few bytes
    /// per token, and only the first `maximumAgents` agents become values, so memory
    /// stays near the body's size whatever it holds.
    /// `agentsListed`: how many agents the answer listed when they were cut on the way
    /// in (`OrchestratorBodyFilter`).
    public static func parse(_ body: [UInt8], agentsListed: Int? = nil) throws -> OrchestratorEnvelope {
        // The decoder indexes the whole document (about ten times its size for a list of
        // small objects): the agents beyond the limit are cut from the bytes first.
        var (cut, listed) = cuttingAgents(body, keeping: maximumAgents)
        if let agentsListed { listed = max(listed ?? 0, agentsListed) }
        do {
            let envelope = try JSONDecoder().decode(Wire.self, from: Data(cut)).envelope
            guard let listed else { return envelope }
            return OrchestratorEnvelope(
                generatedAt: envelope.generatedAt, counts: envelope.counts, agents: envelope.agents,
                agentsListed: max(listed, envelope.agents.count), countsListed: envelope.countsListed)
        } catch let error as CollectorError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw CollectorError("orchestrator: the body is not a JSON object")
        } catch {
            throw CollectorError("orchestrator: the body is not valid JSON")
        }
    }

    /// The body with the top-level `agents` array cut after its first `keeping`
    /// elements, and how many it listed; the body unchanged and nil when there is
    /// nothing to cut or the bytes are not shaped as expected (the decoder then says
    /// what is wrong). One pass, no allocation but the result. Pure.
    public static func cuttingAgents(_ body: [UInt8], keeping: Int) -> (body: [UInt8], listed: Int?) {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        let key = Array("agents".utf8)
        var index = 0
        var depth = 0
        /// Past the string that starts at `index`; its content's range.
        func skipString() -> Range<Int> {
            let start = index + 1
            index = start
            while index < body.count, body[index] != quote {
                index += body[index] == backslash ? 2 : 1
            }
            let content = start..<min(index, body.count)
            index += 1
            return content
        }
        func skipSpace() {
            while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 }
        }
        while index < body.count {
            switch body[index] {
            case quote:
                let content = skipString()
                guard depth == 1, body[content].elementsEqual(key) else { continue }
                skipSpace()
                guard index < body.count, body[index] == UInt8(ascii: ":") else { continue }
                index += 1
                skipSpace()
                guard index < body.count, body[index] == UInt8(ascii: "[") else { return (body, nil) }
                return cutArray(body, from: index, keeping: keeping)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            default:
                index += 1
            }
        }
        return (body, nil)
    }

    /// `body[open]` is `[`: cuts that array after `keeping` elements.
    private static func cutArray(_ body: [UInt8], from open: Int, keeping: Int) -> (body: [UInt8], listed: Int?) {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        var index = open + 1
        var depth = 0
        var elements = 0
        var cutAt: Int?
        while index < body.count {
            let byte = body[index]
            switch byte {
            case quote:
                if depth == 0, elements == 0 { elements = 1 }
                index += 1
                while index < body.count, body[index] != quote { index += body[index] == backslash ? 2 : 1 }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0, elements == 0 { elements = 1 }
                depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
            case UInt8(ascii: "]"):
                if depth == 0 {
                    guard let cutAt else { return (body, elements) }
                    return (Array(body[..<cutAt]) + body[index...], elements)
                }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 {
                    if elements == keeping, cutAt == nil { cutAt = index }
                    elements += 1
                }
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                if depth == 0, elements == 0 { elements = 1 }
            }
            index += 1
        }
        return (body, nil)
    }

    private struct Wire: Decodable {
        let envelope: OrchestratorEnvelope

        enum Key: String, CodingKey {
            case schemaVersion = "schema_version"
            case generatedAt = "generated_at"
            case queue, agents, counts
            case runID = "run_id"
            case jobID = "job_id"
            case pid
            case cpuTicks = "cpu_ticks"
            case startedAt = "started_at"
        }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Key.self)
            guard let version = object.lenientInt(.schemaVersion) else {
                throw CollectorError("orchestrator: no schema_version in the envelope")
            }
            guard version <= OrchestratorEnvelope.supportedVersion else {
                throw CollectorError(
                    "orchestrator: schema_version \(version) is newer than the "
                        + "\(OrchestratorEnvelope.supportedVersion) this watchdog reads")
            }
            guard let generatedAt = object.lenientDate(.generatedAt) else {
                throw CollectorError("orchestrator: generated_at is missing or not a time (RFC 3339 or epoch seconds)")
            }
            var counts: [String: Int] = [:]
            var countsListed = 0
            if let queue = try? object.nestedContainer(keyedBy: Key.self, forKey: .queue),
                let states = try? queue.nestedContainer(keyedBy: AnyKey.self, forKey: .counts)
            {
                countsListed = states.allKeys.count
                for state in states.allKeys.prefix(OrchestratorEnvelope.maximumCounts) {
                    if let number = states.lenientInt(state) { counts[String(state.stringValue.prefix(64))] = number }
                }
            }
            var agents: [Agent] = []
            var listed = 0
            if var list = try? object.nestedUnkeyedContainer(forKey: .agents) {
                listed = list.count ?? 0
                while !list.isAtEnd, agents.count < OrchestratorEnvelope.maximumAgents {
                    let index = list.currentIndex
                    guard let agent = try? list.nestedContainer(keyedBy: Key.self),
                        let runID = agent.lenientString(.runID), !runID.isEmpty,
                        let ticks = agent.lenientInt(.cpuTicks)
                    else {
                        throw CollectorError("orchestrator: agents[\(index)] needs run_id and cpu_ticks")
                    }
                    agents.append(
                        Agent(
                            runID: String(runID.prefix(200)),
                            jobID: agent.lenientString(.jobID).map { String($0.prefix(200)) },
                            pid: agent.lenientInt(.pid), cpuTicks: ticks, startedAt: agent.lenientDate(.startedAt)))
                }
            }
            envelope = OrchestratorEnvelope(
                generatedAt: generatedAt, counts: counts, agents: agents, agentsListed: max(listed, agents.count),
                countsListed: max(countsListed, counts.count))
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension KeyedDecodingContainer {
    /// A whole number that fits `Int`; nil for anything else (a fraction, a string, a
    /// number beyond 64 bits), so an odd field is skipped, not fatal.
    fileprivate func lenientInt(_ key: Key) -> Int? {
        try? decodeIfPresent(Int.self, forKey: key)
    }

    fileprivate func lenientString(_ key: Key) -> String? {
        try? decodeIfPresent(String.self, forKey: key)
    }

    /// RFC 3339 (fractions allowed) or finite epoch seconds.
    fileprivate func lenientDate(_ key: Key) -> Date? {
        if let seconds = try? decodeIfPresent(Double.self, forKey: key) {
            return seconds.isFinite ? Date(timeIntervalSince1970: seconds) : nil
        }
        guard let text = lenientString(key) else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
