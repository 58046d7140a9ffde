/// What the watchdog says about EC2 (SPEC §10.5), in every language.
extension Texts {
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
}

/// What the watchdog says about an instance's memory (`ec2_memory_high`).
extension Texts {
    func ec2MemoryTitle(_ instance: String) -> String {
        pick(en: "EC2 instance \(instance) memory is high", ru: "Мало памяти на EC2-инстансе \(instance)")
    }

    func ec2Memory(average: Double, threshold: Double) -> String {
        pick(
            en:
                "memory \(Texts.percent(average)) used on average over 5 minutes (threshold \(Texts.percent(threshold)))",
            ru: "занято \(Texts.percent(average)) памяти в среднем за 5 минут (порог \(Texts.percent(threshold)))")
    }
}
