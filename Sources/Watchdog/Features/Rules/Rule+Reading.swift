extension Rule {
    /// `WATCHDOG_RULES`, each problem recorded naming the variable.
    static func read(_ reader: inout ConfigReader) -> [Rule] {
        do {
            return try Rule.parseList(reader.text(.rules))
        } catch {
            reader.record(.init(variable: ConfigVariable.rules.name, message: error.message))
            return []
        }
    }
}
