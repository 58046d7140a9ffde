import Foundation

/// Docker Compose as this machine has it: the v2 plugin (`docker compose`) where the
/// docker CLI has it, else the v1 program (`docker-compose`, all that Debian 12 packages).
/// The compose tests run whichever is here, so the shipped files are checked with the
/// command an operator on this machine would type.
public enum ComposeCommand {
    /// The command words before compose's own arguments, or nil when neither is installed.
    public static let words: [String]? = {
        for docker in ["/usr/bin/docker", "/usr/local/bin/docker"]
        where FileManager.default.isExecutableFile(atPath: docker) && answers([docker, "compose", "version"]) {
            return [docker, "compose"]
        }
        let v1 = "/usr/bin/docker-compose"
        return FileManager.default.isExecutableFile(atPath: v1) ? [v1] : nil
    }()

    /// How it is named in messages: `docker compose` or `docker-compose`.
    public static var name: String {
        guard let words else { return "docker compose" }
        return words.count == 2 ? "docker compose" : "docker-compose"
    }

    /// Whether `command` runs and exits 0 (its output discarded).
    static func answers(_ command: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
