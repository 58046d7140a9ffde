import Collectors

/// Where one container stands among the others (SPEC §4.2, §10.2): what compose wrote in
/// its labels and the names it is reached by on its networks. A dependency or the
/// orchestrator whose URL's host is one of `names` goes down with it.
public struct ContainerPlace: Sendable, Equatable {
    /// `com.docker.compose.project`.
    public var project: String?
    /// `com.docker.compose.service`.
    public var service: String?
    /// The services of `com.docker.compose.depends_on` (`db:service_started:false,...`).
    public var dependsOn: [String]
    /// Its name, its service and its network aliases, lowercased: the hosts it answers to.
    public var names: Set<String>

    public init(project: String? = nil, service: String? = nil, dependsOn: [String] = [], names: Set<String> = []) {
        self.project = project
        self.service = service
        self.dependsOn = dependsOn
        self.names = names
    }

    /// Labels and names are the daemon's: at most this many of each are read.
    static let maximumDependencies = 64
    static let maximumNames = 64

    /// The place of an inspected container.
    public init(_ container: ContainerStatus) {
        let labels = container.labels
        let service = labels["com.docker.compose.service"].flatMap { $0.isEmpty ? nil : $0 }
        let dependsOn = (labels["com.docker.compose.depends_on"] ?? "").split(separator: ",").prefix(
            Self.maximumDependencies
        ).compactMap { entry -> String? in
            let service = entry.prefix { $0 != ":" }.trimmingSpaces()
            return service.isEmpty ? nil : service
        }
        var names: Set<String> = [container.name.lowercased()]
        if let service { names.insert(service.lowercased()) }
        for alias in container.networkAliases.prefix(Self.maximumNames) { names.insert(alias.lowercased()) }
        self.init(
            project: labels["com.docker.compose.project"], service: service, dependsOn: dependsOn, names: names)
    }
}
