/// Builds the sources a configuration asks for. The one place that lists every source
/// (CONTRIBUTING.md: adding a collector).
public enum SourceCatalog {
    public static func sources(for configuration: Configuration) -> [any Source] {
        let texts = Texts(configuration.language)
        var sources: [any Source] = [
            HostMemorySource(
                procRoot: configuration.procRoot, thresholdPercent: configuration.memoryPercent,
                texts: texts)
        ]
        for path in configuration.diskPaths {
            sources.append(
                DiskSource(path: path, thresholdPercent: configuration.diskPercent, texts: texts))
        }
        return sources
    }
}
