/// What the watchdog says about long-lived processes (SPEC §10.4), in every language.
extension Texts {
    func processBlockingTitle(name: String, pid: Int) -> String {
        pick(en: "Process \(name) (\(pid)) runs too long", ru: "Процесс \(name) (\(pid)) работает слишком долго")
    }

    func processRunning(pid: Int, for age: String, commandLine: String) -> String {
        pick(
            en: "pid \(pid) running for \(age): \(commandLine)",
            ru: "pid \(pid) работает \(age): \(commandLine)")
    }
}
