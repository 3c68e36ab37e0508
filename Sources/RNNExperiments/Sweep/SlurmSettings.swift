// SlurmSettings: what `rnnlab sweep --slurm` asks Slurm for — partition, time limit, CPUs and
// memory per task, how many array tasks and how many at once, extra #SBATCH lines — from the
// sweep section's `slurm:` mapping or the command line (which wins), checked before anything is
// written or submitted.
//
//     sweep:
//       slurm:
//         partition: main
//         time: "0:30:00"          # minutes, min:sec, h:min:sec, d-h, d-h:min or d-h:min:sec
//         cpus_per_task: 2         # each task's runs share these (training.threads)
//         mem: 4G                  # per task; K, M, G or T (Slurm's default unit is M)
//         tasks: 6                 # array tasks = shards (default: one per run, at most 1000)
//         parallelism: 2           # tasks at once (--array=…%2)
//         sbatch: ["--qos=low"]    # extra #SBATCH lines
//
// It will not talk to Slurm (SlurmClient does) nor write the script (SlurmArrayScript does).

import RNNYAML

/// Settings for the array job of a sweep; nil fields take Slurm's (or rnnlab's) defaults.
public struct SlurmSettings: Sendable, Equatable {
    public var partition: String?
    /// A Slurm time limit, e.g. `30`, `1:30:00`, `2-12:00`.
    public var time: String?
    public var cpusPerTask: Int?
    /// Memory per task, e.g. `4G` or `500M` (a bare number is megabytes).
    public var memory: String?
    /// Array tasks, each running one shard of the sweep.
    public var tasks: Int?
    /// Tasks running at once (`%K`).
    public var parallelism: Int?
    /// Extra `#SBATCH` lines, without the `#SBATCH `.
    public var sbatchLines: [String]

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int? = nil, memory: String? = nil,
                tasks: Int? = nil, parallelism: Int? = nil, sbatchLines: [String] = []) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.tasks = tasks
        self.parallelism = parallelism
        self.sbatchLines = sbatchLines
    }

    /// These settings with every field `other` gives replaced (extra lines added after).
    public func overridden(by other: SlurmSettings) -> SlurmSettings {
        SlurmSettings(partition: other.partition ?? partition, time: other.time ?? time,
                      cpusPerTask: other.cpusPerTask ?? cpusPerTask, memory: other.memory ?? memory,
                      tasks: other.tasks ?? tasks, parallelism: other.parallelism ?? parallelism,
                      sbatchLines: sbatchLines + other.sbatchLines)
    }

    /// The most array tasks rnnlab asks for unless told otherwise (Slurm's default MaxArraySize is 1001).
    public static let defaultMaxTasks = 1000

    // MARK: - checks

    /// Whether `text` is a time limit sbatch takes: `minutes`, `minutes:seconds`,
    /// `hours:minutes:seconds`, `days-hours`, `days-hours:minutes` or `days-hours:minutes:seconds`.
    public static func isTimeLimit(_ text: String) -> Bool {
        func numbers(_ s: Substring, _ counts: ClosedRange<Int>) -> Bool {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            return counts.contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
        if text == "infinite" || text == "UNLIMITED" { return true }
        let dash = text.split(separator: "-", omittingEmptySubsequences: false)
        switch dash.count {
        case 1: return numbers(dash[0], 1...3)
        case 2: return numbers(dash[0], 1...1) && numbers(dash[1], 1...3)
        default: return false
        }
    }

    /// The sentence for a bad time limit given as `source` (`--time 90m`, `sweep.slurm.time: 90m`).
    public static func timeLimitProblem(_ source: String) -> String {
        "\(source) is not a Slurm time limit; write minutes (90), hours:minutes:seconds (1:30:00) or days-hours:minutes (2-12:00)"
    }

    /// Whether `text` is a memory size sbatch takes: digits and an optional K, M, G or T.
    public static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGTkmgt".contains(last) { digits.removeLast() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The sentence for a bad memory size given as `source`.
    public static func memoryProblem(_ source: String) -> String {
        "\(source) is not a Slurm memory size; write megabytes (4000) or a number with K, M, G or T (4G)"
    }

    // MARK: - decoding

    static let keys = ["cpus_per_task", "mem", "parallelism", "partition", "sbatch", "tasks", "time"]

    /// Decodes a `slurm:` mapping at `keyPath`.
    static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> SlurmSettings {
        guard let entries = node.mapping else {
            throw .typeMismatch(node, keyPath: keyPath, expected: "a mapping with partition, time, cpus_per_task, mem, tasks, parallelism or sbatch")
        }
        var s = SlurmSettings()
        for e in entries {
            let path = "\(keyPath).\(e.key)"
            let v = e.value
            func text() throws(ConfigError) -> String {
                guard let t = v.scalarText, !v.isNull, !t.isEmpty, !t.contains("\n") else {
                    throw .typeMismatch(v, keyPath: path, expected: "a single-line value")
                }
                return t
            }
            func count() throws(ConfigError) -> Int {
                guard let n = v.int, n >= 1 else { throw .typeMismatch(v, keyPath: path, expected: "an integer ≥ 1") }
                return n
            }
            switch e.key {
            case "partition": s.partition = try text()
            case "time":
                let t = try text()
                guard isTimeLimit(t) else {
                    throw ConfigError(mark: v.mark, keyPath: path, value: t, message: timeLimitProblem(t) + ".")
                }
                s.time = t
            case "cpus_per_task": s.cpusPerTask = try count()
            case "mem":
                let t = try text()
                guard isMemory(t) else { throw ConfigError(mark: v.mark, keyPath: path, value: t, message: memoryProblem(t) + ".") }
                s.memory = t
            case "tasks": s.tasks = try count()
            case "parallelism": s.parallelism = try count()
            case "sbatch":
                guard let items = v.sequence else { throw .typeMismatch(v, keyPath: path, expected: "a list of sbatch options, e.g. [\"--qos=low\"]") }
                for (i, item) in items.enumerated() {
                    guard let line = item.scalarText, line.hasPrefix("-"), !line.contains("\n") else {
                        throw .typeMismatch(item, keyPath: "\(path)[\(i)]", expected: "an sbatch option such as \"--qos=low\"")
                    }
                    s.sbatchLines.append(line)
                }
            default:
                throw .unknownKey(e.key, keyPath: path, at: e.keyMark, validKeys: keys)
            }
        }
        return s
    }
}
