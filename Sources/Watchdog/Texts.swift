import Notify

/// Every user-facing sentence the watchdog writes, in each language of SPEC §6.
///
/// Both languages sit side by side in each function so a new text cannot be added in
/// one language only.
public struct Texts: Sendable, Equatable {
    public let language: Language

    public init(_ language: Language) {
        self.language = language
    }

    private func pick(en: String, ru: String) -> String {
        switch language {
        case .en: en
        case .ru: ru
        }
    }

    // MARK: host

    func memoryTitle() -> String {
        pick(en: "Host memory is running out", ru: "На хосте заканчивается память")
    }

    func memoryDetail(_ usage: UsageFigures) -> String {
        pick(
            en: "memory \(usage.used) used (threshold \(usage.threshold)), \(usage.free) available of \(usage.total)",
            ru: "занято \(usage.used) памяти (порог \(usage.threshold)), доступно \(usage.free) из \(usage.total)")
    }

    func diskTitle(path: String) -> String {
        pick(en: "Disk \(path) is almost full", ru: "Диск \(path) почти заполнен")
    }

    func diskDetail(_ usage: UsageFigures) -> String {
        pick(
            en: "\(usage.used) used (threshold \(usage.threshold)), \(usage.free) free of \(usage.total)",
            ru: "занято \(usage.used) (порог \(usage.threshold)), свободно \(usage.free) из \(usage.total)")
    }

    // MARK: containers

    func containerDownTitle(_ name: String) -> String {
        pick(en: "Container \(name) is down", ru: "Контейнер \(name) не работает")
    }

    func containerExited(code: Int, oomKilled: Bool, at: String?) -> String {
        let oom = oomKilled ? pick(en: ", killed by the OOM killer", ru: ", убит OOM killer") : ""
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "exited with code \(code)\(oom)\(when)", ru: "завершился с кодом \(code)\(oom)\(when)")
    }

    func containerState(_ state: String) -> String {
        pick(en: "state \(state)", ru: "состояние \(state)")
    }

    func containerRestarting(for duration: String) -> String {
        pick(en: "restarting for \(duration)", ru: "перезапускается уже \(duration)")
    }

    func containerMissing() -> String {
        pick(en: "missing: no such container", ru: "отсутствует: контейнера нет")
    }

    func containerRunning() -> String {
        pick(en: "running", ru: "работает")
    }

    func containerUnhealthyTitle(_ name: String) -> String {
        pick(en: "Container \(name) is unhealthy", ru: "Контейнер \(name) нездоров")
    }

    func containerHealth(_ status: String, output: String?) -> String {
        let said = output.map { ": \($0)" } ?? ""
        return pick(en: "health \(status)\(said)", ru: "здоровье \(status)\(said)")
    }

    func containerStartingTooLong(for duration: String) -> String {
        pick(en: "health still starting after \(duration)", ru: "проверка здоровья всё ещё starting через \(duration)")
    }

    func containerRestartsTitle(_ name: String) -> String {
        pick(en: "Container \(name) keeps restarting", ru: "Контейнер \(name) постоянно перезапускается")
    }

    func containerRestarted(_ count: Int, within window: String) -> String {
        pick(en: "restarted \(count) times within \(window)", ru: "перезапусков за \(window): \(count)")
    }

    func containerOOMKilled() -> String {
        pick(en: "killed by the OOM killer", ru: "убит OOM killer")
    }

    func dockerUnreachableTitle() -> String {
        pick(en: "Docker is unreachable", ru: "Docker недоступен")
    }

    // MARK: dependencies

    func dependencyDownTitle(_ name: String) -> String {
        pick(en: "Dependency \(name) is down", ru: "Зависимость \(name) недоступна")
    }

    func dependencyFailed(url: String, error: String, times: Int) -> String {
        pick(
            en: "\(url): \(error) (\(times == 1 ? "once" : "\(times) in a row"))",
            ru: "\(url): \(error) (\(times) раз подряд)")
    }

    func dependencyAnswered(url: String, latency: String) -> String {
        pick(en: "\(url) answered in \(latency)", ru: "\(url) ответил за \(latency)")
    }

    func dependencySlowTitle(_ name: String) -> String {
        pick(en: "Dependency \(name) is slow", ru: "Зависимость \(name) отвечает медленно")
    }

    func dependencySlow(url: String, latency: String, limit: String) -> String {
        pick(en: "\(url) answered in \(latency) (limit \(limit))", ru: "\(url) ответил за \(latency) (порог \(limit))")
    }

    func certificateTitle(_ name: String) -> String {
        pick(en: "Certificate of \(name) expires soon", ru: "Сертификат \(name) скоро истекает")
    }

    func certificateExpires(on date: String, in remaining: String) -> String {
        pick(en: "expires \(date) (in \(remaining))", ru: "истекает \(date) (через \(remaining))")
    }

    func certificateExpired(on date: String) -> String {
        pick(en: "expired \(date)", ru: "истёк \(date)")
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? "\((value * 10).rounded() / 10) ms" : "\(Int(exactly: value.rounded()) ?? Int.max) ms"
    }

    // MARK: orchestrator

    func orchestratorDownTitle() -> String {
        pick(en: "Orchestrator metrics are unreachable", ru: "Метрики оркестратора недоступны")
    }

    func orchestratorFailed(_ error: String, times: Int) -> String {
        pick(
            en: "\(error) (\(times == 1 ? "1 fetch" : "\(times) fetches in a row"))",
            ru: "\(error) (\(times) раз подряд)")
    }

    func orchestratorAnswered() -> String {
        pick(en: "metrics fetched", ru: "метрики получены")
    }

    func orchestratorStaleTitle() -> String {
        pick(en: "Orchestrator loop looks stuck", ru: "Цикл оркестратора, похоже, завис")
    }

    func orchestratorGenerated(ago: String) -> String {
        pick(en: "metrics generated \(ago) ago", ru: "метрики сформированы \(ago) назад")
    }

    func agentHungTitle(_ runID: String) -> String {
        pick(en: "Agent \(runID) is hung", ru: "Агент \(runID) завис")
    }

    func agentCPU(unchangedFor duration: String, ticks: Int, job: String?, pid: Int?) -> String {
        let job = job.map { " job \($0)" } ?? ""
        let pid = pid.map { " pid \($0)" } ?? ""
        return pick(
            en: "cpu_ticks \(ticks) unchanged for \(duration)\(job)\(pid)",
            ru: "cpu_ticks \(ticks) не меняются \(duration)\(job)\(pid)")
    }

    func jobFailedTitle() -> String {
        pick(en: "Jobs failed", ru: "Задачи завершились с ошибкой")
    }

    func jobsFailed(delta: Int, total: Int) -> String {
        pick(en: "\(delta) more failed (\(total) in total)", ru: "ещё \(delta) с ошибкой (всего \(total))")
    }

    func queueBacklogTitle() -> String {
        pick(en: "Job queue is backing up", ru: "Очередь задач растёт")
    }

    func queueBacklog(queued: Int, threshold: Int) -> String {
        pick(en: "\(queued) jobs queued (threshold \(threshold))", ru: "в очереди \(queued) задач (порог \(threshold))")
    }

    func ruleTitle(_ name: String) -> String {
        pick(en: "Rule \(name) holds", ru: "Сработало правило \(name)")
    }

    // MARK: long-lived processes

    func processBlockingTitle(name: String, pid: Int) -> String {
        pick(en: "Process \(name) (\(pid)) runs too long", ru: "Процесс \(name) (\(pid)) работает слишком долго")
    }

    func processRunning(pid: Int, for age: String, commandLine: String) -> String {
        pick(
            en: "pid \(pid) running for \(age): \(commandLine)",
            ru: "pid \(pid) работает \(age): \(commandLine)")
    }

    // MARK: EC2

    func ec2StateTitle(_ instance: String) -> String {
        pick(en: "EC2 instance \(instance) is not running", ru: "EC2-инстанс \(instance) не работает")
    }

    func ec2State(_ state: String) -> String {
        pick(en: "state \(state)", ru: "состояние \(state)")
    }

    func ec2StateFor(_ state: String, for duration: String) -> String {
        pick(en: "\(state) for \(duration)", ru: "\(state) уже \(duration)")
    }

    func ec2Unknown(error: String) -> String {
        pick(en: "EC2 does not know this instance: \(error)", ru: "EC2 не знает этот инстанс: \(error)")
    }

    func ec2StatusCheckTitle(_ instance: String) -> String {
        pick(
            en: "EC2 instance \(instance) fails its status checks",
            ru: "EC2-инстанс \(instance) не проходит проверки состояния")
    }

    func ec2StatusChecks(system: String?, instance: String?, failed: [String]) -> String {
        let checks =
            failed.isEmpty ? "" : pick(en: "; failed: ", ru: "; не пройдены: ") + failed.joined(separator: ", ")
        return pick(
            en: "system status \(system ?? "unknown"), instance status \(instance ?? "unknown")\(checks)",
            ru: "статус системы \(system ?? "unknown"), статус инстанса \(instance ?? "unknown")\(checks)")
    }

    func ec2EventTitle(_ instance: String, code: String) -> String {
        pick(
            en: "AWS scheduled \(code) for EC2 instance \(instance)",
            ru: "AWS запланировал \(code) для EC2-инстанса \(instance)")
    }

    func ec2Event(notBefore: String?, description: String) -> String {
        let when =
            notBefore.map { pick(en: "not before \($0)", ru: "не раньше \($0)") }
            ?? pick(en: "date not given", ru: "дата не указана")
        return description.isEmpty ? when : "\(when): \(description)"
    }

    func ec2EventOver() -> String {
        pick(en: "the event is no longer scheduled", ru: "событие больше не запланировано")
    }

    func ec2CPUTitle(_ instance: String) -> String {
        pick(en: "EC2 instance \(instance) CPU is high", ru: "Высокая загрузка CPU на EC2-инстансе \(instance)")
    }

    func ec2CPU(average: Double, threshold: Double) -> String {
        pick(
            en: "CPU \(Texts.percent(average)) on average over 5 minutes (threshold \(Texts.percent(threshold)))",
            ru: "CPU в среднем \(Texts.percent(average)) за 5 минут (порог \(Texts.percent(threshold)))")
    }

    // MARK: heartbeats

    func heartbeatMissedTitle(_ name: String) -> String {
        pick(en: "Heartbeat \(name) missed", ru: "Нет сигнала \(name)")
    }

    func heartbeatLastPing(ago: String, window: String) -> String {
        pick(
            en: "last ping \(ago) ago (window \(window))",
            ru: "последний сигнал \(ago) назад (окно \(window))")
    }

    func heartbeatNeverPinged(since: String, window: String) -> String {
        pick(
            en: "no ping since the watchdog started watching \(since) ago (window \(window))",
            ru: "ни одного сигнала с начала наблюдения \(since) назад (окно \(window))")
    }

    // MARK: the watchdog itself

    func collectorFailedTitle(source: String) -> String {
        pick(en: "Check \(source) is failing", ru: "Проверка \(source) не работает")
    }

    func collectorFailedDetail(ticks: Int, error: String) -> String {
        pick(
            en: "failed \(ticks) ticks in a row: \(error)",
            ru: "ошибка \(ticks) раз подряд: \(error)")
    }

    func collectorRecoveredDetail() -> String {
        pick(en: "the check works again", ru: "проверка снова работает")
    }

    /// Resolve detail for a key whose source stopped reporting it (a removed container,
    /// a finished process).
    func vanishedDetail() -> String {
        pick(en: "no longer present", ru: "больше не наблюдается")
    }

    /// The numbers of a "how full is it" message, formatted the same way in every language.
    struct UsageFigures {
        let used: String
        let threshold: String
        let free: String
        let total: String

        init(usedPercent: Double, thresholdPercent: Double, freeBytes: UInt64, totalBytes: UInt64) {
            used = Texts.percent(usedPercent)
            threshold = Texts.percent(thresholdPercent)
            free = ByteText.format(freeBytes)
            total = ByteText.format(totalBytes)
        }
    }

    static func percent(_ value: Double) -> String {
        // CloudWatch's averages come from outside: a value beyond Int is printed as it is.
        let rounded = (value * 10).rounded() / 10
        return Int(exactly: rounded).map { "\($0)%" } ?? "\(rounded)%"
    }
}
