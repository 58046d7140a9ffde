/// What the watchdog says about the orchestrator (SPEC §9), in every language.
extension Texts {
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
}
