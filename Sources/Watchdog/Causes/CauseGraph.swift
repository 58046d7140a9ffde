import FoundationEssentials
import Notify

/// Which firing alerts hold which this tick (SPEC §4.2). Pure: built from the keys
/// firing after deciding, the places of the containers among them, and the rules.
///
/// An edge runs from a cause to each firing key it takes as an effect. A key is held
/// when a cause of it is itself grounded: it has no cause, or it is held. Keys on a
/// cycle with no way in from a grounded key hold nobody, so a cycle the start-up check
/// could not see (a rule and the compose graph) never silences every alert on it.
struct CauseGraph: Sendable {
    /// Per effect held, the grounded causes that hold it, in key order.
    let holders: [SignalKey: [SignalKey]]
    /// Per firing cause, every firing key it takes as an effect, in key order: those it
    /// holds and those announced before it fired.
    let effects: [SignalKey: [SignalKey]]
    /// The causes among `firing` whose problem already ended, and when.
    let lingering: [SignalKey: Date]

    /// A compose service within its project.
    private struct ServiceID: Hashable {
        let project: String?
        let service: String
    }

    static let empty = CauseGraph(holders: [:], effects: [:], lingering: [:])

    private init(holders: [SignalKey: [SignalKey]], effects: [SignalKey: [SignalKey]], lingering: [SignalKey: Date]) {
        self.holders = holders
        self.effects = effects
        self.lingering = lingering
    }

    /// `firing`: every firing key with its severity, and the causes that just ended
    /// (`lingering`, also in `firing`). `places`: the containers' places by name.
    init(
        firing: [SignalKey: Severity], lingering: [SignalKey: Date] = [:], places: [String: ContainerPlace],
        rules: CauseRules, instance: String
    ) {
        guard firing.count > 1 else {
            self = .empty
            return
        }
        var byFamily: [SignalFamily: [SignalKey]] = [:]
        for key in firing.keys { byFamily[key.family, default: []].append(key) }
        func firingOf(_ families: [SignalFamily]) -> [SignalKey] { families.flatMap { byFamily[$0] ?? [] } }

        var effects: [SignalKey: Set<SignalKey>] = [:]
        func link(_ cause: SignalKey, _ effect: SignalKey) {
            if cause != effect { effects[cause, default: []].insert(effect) }
        }

        for cause in byFamily[.dockerUnreachable] ?? [] {
            for effect in firingOf(CauseRules.containerFamilies) { link(cause, effect) }
        }
        for cause in byFamily[.orchestratorDown] ?? [] {
            for effect in firingOf(CauseRules.orchestratorEffects) { link(cause, effect) }
        }
        for cause in byFamily[.ec2State] ?? [] {
            guard let instanceID = cause.entity else { continue }
            for effect in firingOf(CauseRules.ec2Effects) {
                guard let entity = effect.entity else { continue }
                // A scheduled event's entity is the instance and the event's code.
                if entity == instanceID || entity.hasPrefix(instanceID + "/") { link(cause, effect) }
            }
        }
        // Per compose project and service, the firing container keys that depend on it:
        // built once, so a project of hundreds of containers down together costs a pass,
        // not a pass per cause.
        var dependents: [ServiceID: [SignalKey]] = [:]
        for effect in firingOf(CauseRules.containerFamilies) {
            guard let name = effect.entity, let place = places[name] else { continue }
            for service in place.dependsOn {
                dependents[ServiceID(project: place.project, service: service), default: []].append(effect)
            }
        }
        let dependencyEffects = firingOf([.dependencyDown, .dependencySlow, .certificateExpiry])
        for cause in firingOf([.containerDown, .containerUnhealthy]) {
            guard let name = cause.entity, let place = places[name] else { continue }
            if let service = place.service {
                for effect in dependents[ServiceID(project: place.project, service: service)] ?? []
                where effect.entity != name {
                    link(cause, effect)
                }
            }
            for effect in dependencyEffects {
                guard let dependency = effect.entity, let host = rules.dependencyHosts[dependency],
                    place.names.contains(host)
                else { continue }
                link(cause, effect)
            }
            if let host = rules.orchestratorHost, place.names.contains(host) {
                for effect in byFamily[.orchestratorDown] ?? [] { link(cause, effect) }
            }
        }
        if !rules.rules.isEmpty {
            let labelled = firing.map { key, severity in
                (key, SilenceSet.labels(of: key, severity: severity, instance: instance))
            }
            for rule in rules.rules {
                let source = rule.source.map(CompiledMatcher.init)
                let target = rule.target.map(CompiledMatcher.init)
                let causes = labelled.filter { _, labels in source.allSatisfy { $0.matches(labels) } }
                guard !causes.isEmpty else { continue }
                let targets = labelled.filter { _, labels in target.allSatisfy { $0.matches(labels) } }
                for (cause, causeLabels) in causes {
                    for (effect, effectLabels) in targets
                    where rule.equal.allSatisfy({ causeLabels[$0, default: ""] == effectLabels[$0, default: ""] }) {
                        link(cause, effect)
                    }
                }
            }
        }
        guard !effects.isEmpty else {
            self = .empty
            return
        }

        // Grounded: reached from a key no cause holds.
        var causesOf: [SignalKey: [SignalKey]] = [:]
        for (cause, held) in effects {
            for effect in held { causesOf[effect, default: []].append(cause) }
        }
        var grounded = Set(firing.keys.filter { causesOf[$0] == nil })
        var queue = Array(grounded)
        while let key = queue.popLast() {
            for effect in effects[key] ?? [] where grounded.insert(effect).inserted {
                queue.append(effect)
            }
        }
        var holders: [SignalKey: [SignalKey]] = [:]
        for (effect, causes) in causesOf {
            let holding = causes.filter(grounded.contains)
            if !holding.isEmpty { holders[effect] = holding.sorted() }
        }
        self.init(holders: holders, effects: effects.mapValues { $0.sorted() }, lingering: lingering)
    }
}
