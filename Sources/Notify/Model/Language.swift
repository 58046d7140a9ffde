/// The language of user-facing message text (SPEC §6). Keys and logs stay English.
public enum Language: String, Sendable, Codable, CaseIterable {
    case en
    case ru
}
