// SweptKeys: which config keys differ across a set of runs — the keys a sweep (or a hand-made
// comparison) changed — with short labels for tables, and a value order that sorts numbers as
// numbers. It will not group runs (TiedComparison and the charts do).

/// The config keys whose values differ across runs.
public struct SweptKeys: Sendable, Equatable {
    /// Labels, not settings: they differ between experiments without changing what is trained.
    /// `training.threads` changes with `--jobs` and does not change the numbers either.
    public static let ignored: Set<String> = ["name", "description", "training.threads"]
    /// The seed key; kept last, and left out of groups (runs differing only in it are repeats).
    public static let seed = "seed"
    /// The key whose two values a tied-vs-untied comparison pairs.
    public static let tied = "model.tied"

    /// The swept keys: in the order of the first run's config.yaml, then any others sorted,
    /// with `seed` last.
    public let keys: [String]
    /// A short label per key: its last part unless two keys share it (`hidden_size`, `seed`).
    public let labels: [String: String]

    public init(keys: [String]) {
        self.keys = keys
        // A component chosen by name is `<slot>.name` in config.yaml (`model.activation.name`);
        // it is labelled by its slot (`activation`), as its sweep key names it, not `name`.
        let slot = Dictionary(uniqueKeysWithValues: keys.map { ($0, $0.hasSuffix(".name") ? String($0.dropLast(5)) : $0) })
        let short = SweepPlan.shortLabels(for: Set(slot.values))
        self.labels = slot.mapValues { short[$0] ?? $0 }
    }

    /// Keys whose absence means a value: config.yaml files written before `model.type` existed
    /// are RNN runs, and before `training.independent_sentences` existed ran sentences together.
    static let implied: [String: String] = ["model.type": "rnn", "training.independent_sentences.train": "false",
                                            "training.independent_sentences.eval": "false"]

    /// The keys whose value differs between at least two of the `runs` that have it. A key
    /// only some runs have is not swept by being absent from the others: an n-gram run has no
    /// `model.hidden_size`, and `model.type` already tells it apart. Runs without a config
    /// (config.yaml missing or unreadable) take no part.
    public init(runs: [ReportRun]) {
        let configured = runs.filter { !$0.config.isEmpty }
        var order: [String] = []
        var seen = Set<String>()
        for run in configured {
            for (key, _) in run.config where seen.insert(key).inserted { order.append(key) }
        }
        let swept = order.filter { key in
            guard !Self.ignored.contains(key) else { return false }
            let values = Set(configured.compactMap { $0.value(key) ?? Self.implied[key] })
            return values.count > 1
        }
        self.init(keys: swept.filter { $0 != Self.seed } + swept.filter { $0 == Self.seed })
    }

    /// The label of `key` (the key itself when it is not swept).
    public func label(_ key: String) -> String { labels[key] ?? key }

    /// The swept keys that define a group of comparable runs: all but `seed` and `excluding`.
    public func groupKeys(excluding: Set<String> = []) -> [String] {
        keys.filter { $0 != Self.seed && !excluding.contains($0) }
    }

    /// `label=value` pairs of `run` for `keys`, joined by commas; missing values read `-`.
    /// The tied key reads `tied` or `untied`.
    public func describe(_ run: ReportRun, keys: [String]) -> String {
        keys.map { key in
            let value = run.value(key) ?? "-"
            if key == Self.tied, value == "true" || value == "false" { return value == "true" ? "tied" : "untied" }
            return "\(label(key))=\(value)"
        }.joined(separator: ", ")
    }

    /// Orders config values: numbers numerically (before text), then text; `false` before `true`.
    public static func valueOrder(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return false
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?):
            switch (Double(x), Double(y)) {
            case let (dx?, dy?): return dx != dy ? dx < dy : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return x < y
            }
        }
    }

    /// Orders runs by their values of `keys`, in turn (see `valueOrder`), then by path.
    public static func runOrder(_ keys: [String]) -> (ReportRun, ReportRun) -> Bool {
        { a, b in
            for key in keys {
                let x = a.value(key), y = b.value(key)
                if valueOrder(x, y) { return true }
                if valueOrder(y, x) { return false }
            }
            return a.path < b.path
        }
    }
}
