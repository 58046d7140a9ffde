import Notify
import OutboundHTTP

/// `workflows://host[:port]/WORKFLOW_ID/SIGNATURE` (SPEC §5.1), Apprise's form of a Teams
/// Workflows (Power Automate) trigger URL, with its options: `?pa=yes` (the Power
/// Automate form), `?route=` (its `/cu/` id), `?ver=` / `?api-version=`, and `?id=` /
/// `?workflow=`, `?sig=` / `?signature=` instead of the path. The trigger URL itself
/// (`https://….logic.azure.com/workflows/…/triggers/manual/paths/invoke?…&sig=…`, or a
/// Power Platform host) is taken as it is, as Apprise does. Always HTTPS.
public enum TeamsWorkflowsKind: URLChannelKind {
    public static let schemes = ["workflows", "workflow"]
    public static let kind = "teams"

    /// Logic Apps (`logic.azure.com`, `.us`, `.cn`) and Power Platform hosts.
    static func isMicrosoftHost(_ host: String) -> Bool {
        let labels = host.lowercased().split(separator: ".")
        if let index = labels.firstIndex(of: "logic"), index > 0, labels.count == index + 3,
            labels[index + 1] == "azure"
        {
            return true
        }
        return labels.dropFirst().contains { $0 == "powerplatform" || $0 == "appsplatform" }
    }

    public static func takesNative(_ url: AppriseURL) -> Bool {
        ["https", "http"].contains(url.scheme) && isMicrosoftHost(url.host)
            && url.path.suffix(4) == ["triggers", "manual", "paths", "invoke"] && url.path.contains("workflows")
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> TeamsWorkflowsSettings
    {
        guard !url.host.isEmpty else { throw .missing("the workflow's host") }
        var path = url.path.filter { !$0.isEmpty }
        var powerAutomate = url.flag("pa", default: url.flag("powerautomate", default: false))
        var routingID = url.query["route"] ?? url.query["routeid"]
        if takesNative(url) {
            powerAutomate = path.starts(with: ["powerautomate", "automations", "direct"])
            if powerAutomate, path.count > 4, path[3] == "cu" { routingID = path[4] }
            guard let index = path.firstIndex(of: "workflows"), index + 1 < path.count else {
                throw .missing("the workflow id after /workflows/")
            }
            path = [path[index + 1]]
        }
        func option(_ names: String...) -> String? {
            names.lazy.compactMap { url.query[$0] }.first { !$0.isEmpty }
        }
        let workflow = option("workflow", "id") ?? (path.isEmpty ? nil : path.removeFirst())
        let signature = option("signature", "sig") ?? (path.isEmpty ? nil : path.removeFirst())
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard let workflow, !workflow.isEmpty, workflow.count <= 128, workflow.allSatisfy(allowed) else {
            throw .missing("the workflow id (letters, digits, - and _)")
        }
        guard let signature, !signature.isEmpty, signature.count <= 256, signature.allSatisfy(allowed) else {
            throw .missing("the signature (sig)")
        }
        if let routingID, !routingID.isEmpty, !routingID.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw .invalid("route (digits)")
        }
        let version = option("api-version", "ver")
        if let version, !version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
            throw .invalid("api-version")
        }
        let host = url.host.contains(":") && !url.host.hasPrefix("[") ? "[\(url.host)]" : url.host
        return TeamsWorkflowsSettings(
            baseURL: "https://\(host)" + (url.port.map { ":\($0)" } ?? ""), workflowID: workflow,
            signature: signature, powerAutomate: powerAutomate,
            routingID: routingID.flatMap { $0.isEmpty ? nil : $0 }, apiVersion: version)
    }

    public static func host(of settings: TeamsWorkflowsSettings) -> String {
        ShownURL.authority(of: settings.baseURL) ?? ""
    }

    public static func channel(named name: String, settings: TeamsWorkflowsSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        TeamsWorkflowsChannel(
            name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
