/// What the watchdog says about rules (SPEC §9), in every language.
extension Texts {
    func ruleTitle(_ name: String) -> String {
        pick(en: "Rule \(name) holds", ru: "Сработало правило \(name)")
    }
}
