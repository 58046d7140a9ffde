import ArgumentParser
import Foundation
import Watchdog

/// `watchdog check-config`: validate the environment and print the settings in force.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print it with secrets redacted; exit 0 or 2.")

    func run() async throws {
        let loaded = try loadConfigurationOrExit()
        let settings = loaded.effectiveSettings()
        let width = settings.map(\.name.count).max() ?? 0
        var lines: [String] = []
        for setting in settings {
            let name = setting.name + String(repeating: " ", count: width - setting.name.count)
            lines.append("\(name) = \(setting.value)  (\(setting.origin))")
        }
        if let ec2 = loaded.configuration.ec2 {
            // AWS's own variables are not in the table above; say what they resolved to.
            lines.append("EC2: region \(ec2.region), endpoints \(ec2.endpoints.joined(separator: ", "))")
        }
        for warning in loaded.warnings {
            lines.append("warning: \(warning)")
        }
        lines.append("configuration ok")
        print(lines.joined(separator: "\n"))
    }
}
