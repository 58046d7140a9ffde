import Collectors
import FoundationEssentials
import FoundationGaps

/// The raw settings after merging their three places: the process environment, the
/// `.env` file, and `X_FILE` secret files. Values are still text; `Configuration`
/// parses them.
public struct ConfigEnvironment: Sendable {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case environment
        case envFile(String)
        case secretFile(String)

        public var description: String {
            switch self {
            case .environment: "environment"
            case .envFile(let path): path
            case .secretFile(let path): "file \(path)"
            }
        }
    }

    /// Which settings file was read, or where one was looked for: `check-config` says
    /// it, because a `.env` that is silently not read is the first hour's worst surprise.
    public enum SettingsFile: Sendable, Equatable, CustomStringConvertible {
        /// Read (its values are under the process environment).
        case read(String)
        /// `.env` was looked for here and is not there.
        case absent(String)
        /// No working directory to look in, and `WATCHDOG_ENV_FILE` is not set.
        case none

        public var description: String {
            switch self {
            case .read(let path): "settings file \(path) (read; the process environment wins over it)"
            case .absent(let path):
                "settings file: none (\(path) does not exist; WATCHDOG_ENV_FILE=/path reads another)"
            case .none: "settings file: none"
            }
        }
    }

    public let values: [String: String]
    public let origins: [String: Origin]
    public let settingsFile: SettingsFile

    public init(values: [String: String], origins: [String: Origin], settingsFile: SettingsFile = .none) {
        self.values = values
        self.origins = origins
        self.settingsFile = settingsFile
    }

    static let envFileLimit = 1024 * 1024
    static let secretFileLimit = 64 * 1024

    /// Reads `WATCHDOG_ENV_FILE` (or `.env` in the working directory when it exists, as
    /// compose and dotenv tools do), lays the process environment over it, and reads
    /// `X_FILE` secrets. Problems are returned, not thrown, so one run reports all of them.
    public static func gather(
        process: [String: String], workingDirectory: String?
    ) -> (ConfigEnvironment, [ConfigIssue]) {
        var issues: [ConfigIssue] = []
        var values: [String: String] = [:]
        var origins: [String: Origin] = [:]

        let envFileVariable = ConfigVariable.envFile.name
        var envFile: String?
        var settingsFile = SettingsFile.none
        if let explicit = process[envFileVariable], !explicit.isEmpty {
            envFile = explicit
        } else if let directory = workingDirectory {
            let candidate = (directory.hasSuffix("/") ? directory : directory + "/") + ".env"
            if FileManager.default.fileExists(atPath: candidate) {
                envFile = candidate
            } else {
                settingsFile = .absent(candidate)
            }
        }
        if let envFile {
            do {
                let text = try BoundedFile.readText(envFile, limit: envFileLimit)
                for (key, value) in try DotEnv.parse(text) {
                    values[key] = value
                    origins[key] = .envFile(envFile)
                }
                settingsFile = .read(envFile)
            } catch {
                issues.append(
                    ConfigIssue(variable: envFileVariable, message: "cannot use \(envFile): \(error)"))
            }
        }

        for (key, value) in process {
            values[key] = value
            origins[key] = .environment
        }

        // A secret family's members given as files: `WATCHDOG_NOTIFY_ONCALL_FILE`.
        var secretNames = ConfigVariable.all.filter { $0.isSecret && $0.familyPrefix == nil }.map(\.name)
        for family in ConfigVariable.families where family.isSecret {
            secretNames += values.keys.filter { $0.hasSuffix("_FILE") }.map { String($0.dropLast("_FILE".count)) }
                .filter { family.names($0) }.sorted()
        }
        for secretName in secretNames {
            let fileVariable = secretName + "_FILE"
            guard let path = values[fileVariable], !path.isEmpty else { continue }
            if let direct = values[secretName], !direct.isEmpty {
                issues.append(
                    ConfigIssue(
                        variable: secretName,
                        message: "set either \(secretName) or \(fileVariable), not both"))
                continue
            }
            do {
                let secret = try BoundedFile.readText(path, limit: secretFileLimit)
                values[secretName] = secret.trimmingWhitespaceAndNewlines()
                origins[secretName] = .secretFile(path)
            } catch {
                issues.append(
                    ConfigIssue(variable: fileVariable, message: "cannot read the secret: \(error)"))
            }
        }
        return (ConfigEnvironment(values: values, origins: origins, settingsFile: settingsFile), issues)
    }

    /// One warning per unknown `WATCHDOG_*` name, with the closest known name.
    public func unknownVariableWarnings() -> [String] {
        values.keys.filter { $0.hasPrefix("WATCHDOG_") && !ConfigVariable.isKnown($0) }
            .sorted()
            .map { name in
                if let suggestion = NameSuggestion.closest(to: name, in: ConfigVariable.knownNames) {
                    return "unknown variable \(name); did you mean \(suggestion)?"
                }
                return "unknown variable \(name); it is ignored"
            }
    }
}
