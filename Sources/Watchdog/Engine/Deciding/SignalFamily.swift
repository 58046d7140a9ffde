import Notify

/// The kinds of problem the watchdog knows (SPEC §3). A signal key is a family plus,
/// for most families, an entity.
public enum SignalFamily: String, Sendable, Codable, CaseIterable, Comparable {
    case orchestratorDown = "orchestrator_down"
    case orchestratorStale = "orchestrator_stale"
    case agentHung = "agent_hung"
    case jobFailed = "job_failed"
    case queueBacklog = "queue_backlog"
    case rule = "rule"
    case hostMemory = "host_memory"
    case diskFull = "disk_full"
    case containerDown = "container_down"
    case containerUnhealthy = "container_unhealthy"
    case containerRestarts = "container_restarts"
    case dockerUnreachable = "docker_unreachable"
    case dependencyDown = "dependency_down"
    case dependencySlow = "dependency_slow"
    case certificateExpiry = "certificate_expiry"
    case procBlocking = "proc_blocking"
    case ec2State = "ec2_state"
    case ec2StatusCheck = "ec2_status_check"
    case ec2ScheduledEvent = "ec2_scheduled_event"
    case ec2CPUHigh = "ec2_cpu_high"
    case ec2MemoryHigh = "ec2_memory_high"
    case heartbeatMissed = "heartbeat_missed"
    case collectorFailed = "collector_failed"

    /// Edge families announce each occurrence and never resolve (SPEC §4).
    public var isEdge: Bool { self == .jobFailed }

    public static func < (lhs: SignalFamily, rhs: SignalFamily) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
