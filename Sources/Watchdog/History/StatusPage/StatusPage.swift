import FoundationEssentials
import Notify

/// `GET /` (SPEC §7, §14): what an operator opens instead of reading the chat back. What
/// fires now (severity, since, acknowledged, silenced, inhibited, escalated), the
/// silences in force, a 24-hour and a 7-day timeline per key as inline SVG, the last
/// incidents and the week's summary. Plain HTML: no script, no outside asset, refreshes
/// itself, readable on a phone. Shows what `/alerts` shows and nothing more. Pure.
struct StatusPage {
    let snapshot: WatchdogStatus.Snapshot
    /// Oldest start first.
    let incidents: [Incident]
    let now: Date
    let texts: Texts
    /// Seconds between reloads: a tick's interval.
    let refreshSeconds: Int

    /// At most this many keys get timelines, those with the latest incidents first.
    static let timelineKeys = 50
    /// At most this many incidents are listed one by one.
    static let listedIncidents = 30

    func render() -> String {
        let firing = FiringAlert.list(from: snapshot, now: now)
        let title = "watchdog · \(snapshot.instance)"
        return HTML(
            "html", [("lang", texts.language.rawValue)],
            [
                HTML(
                    "head", [],
                    [
                        HTML("meta", [("charset", "utf-8")]),
                        HTML("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                        HTML("meta", [("http-equiv", "refresh"), ("content", String(refreshSeconds))]),
                        HTML("title", text: title),
                        HTML("style", [], [.trusted(Self.style)]),
                    ]),
                HTML(
                    "body", [],
                    [
                        header(firing: firing),
                        firingSection(firing),
                        silencesSection(),
                        timelinesSection(),
                        incidentsSection(),
                    ]),
            ]
        ).document()
    }

    // MARK: sections

    private func header(firing: [FiringAlert]) -> HTML {
        let state =
            firing.isEmpty
            ? texts.pick(en: "all clear", ru: "всё в порядке")
            : texts.pick(en: "\(firing.count) firing", ru: "горит: \(firing.count)")
        return HTML(
            "header", [],
            [
                HTML("h1", text: "watchdog · \(snapshot.instance)"),
                HTML(
                    "p", [("class", firing.isEmpty ? "state clear" : "state firing"), ("id", "state")], text: state),
                HTML(
                    "p", [("class", "muted")],
                    text: texts.pick(en: "as of ", ru: "на ") + ConsoleRenderer.timestamp(now)),
            ])
    }

    private func firingSection(_ firing: [FiringAlert]) -> HTML {
        guard !firing.isEmpty else {
            return section(
                "firing", texts.pick(en: "Firing now", ru: "Горит сейчас"),
                [HTML("p", [("class", "muted")], text: texts.pick(en: "nothing fires", ru: "ничего не горит"))])
        }
        let rows = firing.map { alert -> HTML in
            var marks: [HTML] = []
            func mark(_ kind: String, _ text: String) { marks.append(HTML("span", [("class", kind)], text: text)) }
            // Words, not emoji: a browser without an emoji font shows boxes.
            if let by = alert.acknowledgedBy {
                mark("mark acknowledged", texts.pick(en: "acknowledged by ", ru: "принял ") + by)
            }
            if !alert.silencedBy.isEmpty {
                mark(
                    "mark silenced",
                    texts.pick(en: "silenced by ", ru: "тишина ") + alert.silencedBy.joined(separator: ", "))
            }
            if !alert.inhibitedBy.isEmpty {
                mark(
                    "mark inhibited",
                    texts.pick(en: "held by ", ru: "из-за ") + alert.inhibitedBy.joined(separator: ", "))
            }
            if let escalation = alert.escalation, !escalation.told.isEmpty {
                mark(
                    "mark escalated",
                    texts.pick(en: "escalated to ", ru: "эскалация: ") + escalation.told.joined(separator: ", "))
            }
            if alert.flapping { mark("mark flapping", texts.pick(en: "flapping", ru: "мигает")) }
            return HTML(
                "tr",
                [
                    ("class", "alert \(alert.severity)"), ("data-key", alert.key), ("data-severity", alert.severity),
                    ("data-acknowledged-by", alert.acknowledgedBy ?? ""),
                    ("data-silenced-by", alert.silencedBy.joined(separator: ",")),
                    ("data-inhibited-by", alert.inhibitedBy.joined(separator: ",")),
                    ("data-escalated-to", alert.escalation?.told.joined(separator: ",") ?? ""),
                ],
                [
                    HTML(
                        "td", [], [HTML("code", text: alert.key), HTML("div", [("class", "title")], text: alert.title)]),
                    HTML("td", [("class", "severity")], text: alert.severity),
                    HTML("td", [], text: alert.since.map(ConsoleRenderer.timestamp) ?? ""),
                    HTML("td", [("class", "marks")], marks),
                ])
        }
        return section(
            "firing", texts.pick(en: "Firing now", ru: "Горит сейчас"),
            [
                table(
                    [
                        texts.pick(en: "key", ru: "ключ"), texts.pick(en: "severity", ru: "важность"),
                        texts.pick(en: "since", ru: "с"), texts.pick(en: "state", ru: "состояние"),
                    ], rows)
            ])
    }

    private func silencesSection() -> HTML {
        let silences = snapshot.silencesInForce(at: now)
        let heading = texts.pick(en: "Silences in force", ru: "Действующие тишины")
        guard !silences.isEmpty else {
            return section(
                "silences", heading, [HTML("p", [("class", "muted")], text: texts.pick(en: "none", ru: "нет"))])
        }
        let rows = silences.prefix(100).map { silence in
            HTML(
                "tr", [("data-silence", silence.id)],
                [
                    HTML("td", [], [HTML("code", text: silence.id)]),
                    HTML("td", [], text: silence.matchers.map(\.description).joined(separator: ", ")),
                    HTML(
                        "td", [],
                        text: silence.endsAt.map(ConsoleRenderer.timestamp)
                            ?? texts.pick(en: "standing", ru: "постоянная")),
                    HTML(
                        "td", [],
                        text: [silence.createdBy, silence.comment].filter { !$0.isEmpty }.joined(separator: ": ")),
                ])
        }
        return section(
            "silences", heading,
            [
                table(
                    [
                        "id", texts.pick(en: "matches", ru: "условия"), texts.pick(en: "until", ru: "до"),
                        texts.pick(en: "by", ru: "кем"),
                    ], Array(rows))
            ])
    }

    private func timelinesSection() -> HTML {
        let day: TimeInterval = 86_400
        let week = now.addingTimeInterval(-7 * day)
        let recent = HistorySummary.within(incidents, from: week, to: now)
        var byKey: [String: [Incident]] = [:]
        for incident in recent { byKey[incident.key, default: []].append(incident) }
        // What fires now has a lane even before its incident reaches the log.
        for (key, tracked) in snapshot.alerts
        where (tracked.state.firing || tracked.state.isFlapping) && byKey[key.description] == nil {
            byKey[key.description] = []
        }
        let keys = byKey.keys.sorted { lhs, rhs in
            let left = byKey[lhs]?.last?.startedAt ?? now
            let right = byKey[rhs]?.last?.startedAt ?? now
            return (left, rhs) > (right, lhs)
        }.prefix(Self.timelineKeys)
        let heading = texts.pick(en: "Timelines", ru: "Хронология")
        guard !keys.isEmpty else {
            return section(
                "timelines", heading,
                [
                    HTML(
                        "p", [("class", "muted")],
                        text: texts.pick(en: "no incidents this week", ru: "за неделю инцидентов не было"))
                ])
        }
        let rows = keys.map { key in
            let list = byKey[key] ?? []
            return HTML(
                "div", [("class", "lane"), ("data-timeline", key)],
                [
                    HTML("code", text: key),
                    HTML(
                        "div", [("class", "bars")],
                        [HTML("span", text: "24h"), timeline(list, from: now.addingTimeInterval(-day), label: "24h")]),
                    HTML(
                        "div", [("class", "bars")], [HTML("span", text: "7d"), timeline(list, from: week, label: "7d")]),
                ])
        }
        return section(
            "timelines", heading,
            Array(rows) + [
                HTML(
                    "p", [("class", "legend")],
                    [
                        HTML("span", [("class", "swatch critical")]), .text(" critical "),
                        HTML("span", [("class", "swatch warning")]), .text(" warning "),
                        HTML("span", [("class", "swatch held")]),
                        .text(texts.pick(en: " silenced or held by a cause ", ru: " тишина или причина ")),
                        .text(
                            texts.pick(
                                en: "· ▲ acknowledged · outlined: escalated", ru: "· ▲ принято · в рамке: эскалация")
                        ),
                    ])
            ])
    }

    /// One key's incidents over `from...now` as an SVG bar: a rect per incident (its
    /// severity's colour; grey when a silence or a cause held it; outlined when it
    /// escalated), a triangle where it was acknowledged. Each carries a `<title>`, the
    /// tooltip a browser shows without script.
    private func timeline(_ list: [Incident], from: Date, label: String) -> HTML {
        let span = now.timeIntervalSince(from)
        func x(_ date: Date) -> Double { min(1_000, max(0, date.timeIntervalSince(from) / span * 1_000)) }
        func number(_ value: Double) -> String { String((value * 10).rounded() / 10) }
        var shapes: [HTML] = [
            HTML("rect", [("class", "track"), ("x", "0"), ("y", "0"), ("width", "1000"), ("height", "18")])
        ]
        var marks: [HTML] = []
        // Incidents closer than a unit of the bar (10 minutes of the week) to the one before,
        // of the same look, are drawn as one: the bar stays a few hundred shapes at most.
        var bar: (start: Double, end: Double, classes: String, tooltips: [String], count: Int)?
        var lastMark = -10.0
        func flush() {
            guard let drawn = bar else { return }
            var tooltip = drawn.tooltips.joined(separator: "\n")
            if drawn.count > drawn.tooltips.count {
                tooltip += texts.pick(en: "\n… \(drawn.count) in all", ru: "\n… всего \(drawn.count)")
            }
            shapes.append(
                HTML(
                    "rect",
                    [
                        ("class", drawn.classes), ("x", number(drawn.start)), ("y", "2"),
                        ("width", number(max(2, drawn.end - drawn.start))), ("height", "14"),
                    ], [HTML("title", text: tooltip)]))
            bar = nil
        }
        for incident in list where incident.resolvedAt.map({ $0 >= from }) ?? true {
            let start = x(incident.startedAt)
            let end = x(incident.resolvedAt ?? now)
            let held = !incident.silencedBy.isEmpty || !incident.inhibitedBy.isEmpty
            var classes = held && !incident.announced ? "held" : incident.severity.rawValue
            if !incident.escalatedTo.isEmpty { classes += " escalated" }
            let duration = DurationText.format(seconds: incident.duration(at: now))
            var tooltip = "\(incident.key) · \(ConsoleRenderer.timestamp(incident.startedAt)) · \(duration)"
            if let by = incident.acknowledgedBy { tooltip += " · 👍 \(by)" }
            if !incident.escalatedTo.isEmpty { tooltip += " · ⏫ \(incident.escalatedTo.joined(separator: ", "))" }
            if !incident.silencedBy.isEmpty { tooltip += " · 🔕 \(incident.silencedBy.joined(separator: ", "))" }
            if !incident.inhibitedBy.isEmpty { tooltip += " · 🔗 \(incident.inhibitedBy.joined(separator: ", "))" }
            if let open = bar, open.classes == classes, start <= max(open.end, open.start + 2) + 1 {
                bar?.end = max(open.end, end)
                bar?.count += 1
                if open.tooltips.count < 5 { bar?.tooltips.append(tooltip) }
            } else {
                flush()
                bar = (start, end, classes, [tooltip], 1)
            }
            if let acknowledged = incident.acknowledgedAt, acknowledged >= from, x(acknowledged) - lastMark >= 4 {
                let at = x(acknowledged)
                lastMark = at
                marks.append(
                    HTML(
                        "polygon",
                        [("class", "ack"), ("points", "\(number(at - 6)),18 \(number(at + 6)),18 \(number(at)),8")],
                        [
                            HTML(
                                "title",
                                text: "👍 \(incident.acknowledgedBy ?? "") · \(ConsoleRenderer.timestamp(acknowledged))")
                        ]))
            }
        }
        flush()
        shapes += marks
        return HTML(
            "svg",
            [
                ("viewBox", "0 0 1000 18"), ("preserveAspectRatio", "none"), ("class", "timeline"), ("role", "img"),
                ("aria-label", label),
            ], shapes)
    }

    private func incidentsSection() -> HTML {
        let week = now.addingTimeInterval(-7 * 86_400)
        let summary = HistorySummary.of(incidents, from: week, to: now)
        let recent = HistorySummary.within(incidents, from: week, to: now).reversed().prefix(Self.listedIncidents)
        let rows = recent.map { incident in
            HTML(
                "tr", [("data-incident", incident.id), ("data-key", incident.key)],
                [
                    HTML("td", [], [HTML("code", text: incident.key)]),
                    HTML("td", [], text: incident.severity.rawValue),
                    HTML("td", [], text: ConsoleRenderer.timestamp(incident.startedAt)),
                    HTML(
                        "td", [("class", "duration")],
                        text: DurationText.format(seconds: incident.duration(at: now))
                            + (incident.isOpen ? texts.pick(en: ", open", ru: ", открыт") : "")),
                    HTML("td", [("class", "acknowledged")], text: incident.acknowledgedBy ?? ""),
                ])
        }
        var body: [HTML] =
            summary.isQuiet
            ? [] : [HTML("ul", [("class", "summary")], summary.lines(texts).map { HTML("li", text: $0) })]
        body.append(
            rows.isEmpty
                ? HTML(
                    "p", [("class", "muted")],
                    text: texts.pick(en: "no incidents this week", ru: "за неделю инцидентов не было"))
                : table(
                    [
                        texts.pick(en: "key", ru: "ключ"), texts.pick(en: "severity", ru: "важность"),
                        texts.pick(en: "started", ru: "начало"), texts.pick(en: "lasted", ru: "длительность"),
                        texts.pick(en: "acknowledged by", ru: "принял"),
                    ], Array(rows)))
        return section("incidents", texts.pick(en: "The last 7 days", ru: "Последние 7 дней"), body)
    }

    // MARK: parts

    private func section(_ id: String, _ heading: String, _ children: [HTML]) -> HTML {
        HTML("section", [("id", id)], [HTML("h2", text: heading)] + children)
    }

    private func table(_ headings: [String], _ rows: [HTML]) -> HTML {
        HTML(
            "div", [("class", "scroll")],
            [
                HTML(
                    "table", [],
                    [
                        HTML("thead", [], [HTML("tr", [], headings.map { HTML("th", text: $0) })]),
                        HTML("tbody", [], rows),
                    ])
            ])
    }

    static let style: StaticString = """
        body{font:15px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:72rem;\
        padding:.75rem;color:#1d1d1f;background:#fafafa}
        h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
        code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:break-word}
        .muted{color:#6e6e73}.state{font-weight:600;margin:.2rem 0}.clear{color:#1e7e34}.firing{color:#c62828}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5ea;vertical-align:top}
        th{font-weight:600;font-size:.85rem;color:#6e6e73}.title{font-size:.85rem;color:#3a3a3c}
        tr.critical td.severity{color:#c62828;font-weight:600}tr.warning td.severity{color:#b26a00;font-weight:600}
        .mark{display:inline-block;margin:0 .3rem .2rem 0;padding:0 .4rem;border-radius:.6rem;font-size:.8rem;\
        background:#eef}.silenced{background:#eee}.inhibited{background:#e8f4ff}.escalated{background:#f3e5f5}
        .lane{display:grid;grid-template-columns:minmax(9rem,16rem) 1fr 1fr;gap:.3rem .8rem;align-items:center;\
        padding:.35rem .5rem;background:#fff;border-bottom:1px solid #e5e5ea}
        .bars{display:flex;align-items:center;gap:.4rem}.bars span{font-size:.75rem;color:#6e6e73;width:1.8rem}
        svg.timeline{flex:1;width:100%;height:18px;display:block}
        @media (max-width:640px){.lane{grid-template-columns:1fr}}
        rect.track{fill:#eceff1}rect.critical{fill:#e53935}rect.warning{fill:#fb8c00}rect.held{fill:#9e9e9e}
        rect.escalated{stroke:#6a1b9a;stroke-width:2}polygon.ack{fill:#1e88e5}
        .legend{font-size:.8rem;color:#6e6e73}.swatch{display:inline-block;width:.8rem;height:.6rem;margin-left:.4rem}
        .swatch.critical{background:#e53935}.swatch.warning{background:#fb8c00}.swatch.held{background:#9e9e9e}
        ul.summary{margin:.2rem 0 .6rem;padding-left:1.2rem}
        """
}

/// What the endpoint needs to serve the status page.
public struct StatusPageSettings: Sendable {
    let texts: Texts
    /// How often the page reloads itself.
    let refreshSeconds: Int

    /// The page in `language`, reloading every tick's `interval` (at least 5 s).
    public init(language: Language, interval: Duration) {
        texts = Texts(language)
        refreshSeconds = max(5, Int(interval.seconds.rounded()))
    }
}
