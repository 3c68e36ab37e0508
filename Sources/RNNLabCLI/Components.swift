// `rnnlab components`: every registered component with its parameters and defaults.

import ArgumentParser
import RNNExperiments
import RNNYAML

struct Components: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the registered components (cells, activations, outputs, optimizers, schedules, datasets, initializers) with their parameters.")

    @Option(help: "Only this kind: \(ComponentKind.allCases.map(\.rawValue).joined(separator: ", ")).",
            completion: .list(ComponentKind.allCases.map(\.rawValue)))
    var kind: String?

    func run() throws {
        let registry = RNNLab.registry
        var kinds = ComponentKind.allCases
        if let kind {
            guard let k = ComponentKind(rawValue: kind) else {
                let names = ComponentKind.allCases.map(\.rawValue)
                let hint = didYouMean(kind, among: names).map { "did you mean \($0)? " } ?? ""
                throw ValidationError("--kind: unknown kind \"\(kind)\"; \(hint)valid: \(names.joined(separator: ", "))")
            }
            kinds = [k]
        }
        var lines: [String] = []
        for k in kinds {
            lines.append("\(k.rawValue) (\(k.configKey)):")
            for entry in registry.catalogue(k) {
                lines.append("  \(entry.name) — \(entry.summary)")
                for p in entry.parameters {
                    let d = p.defaultValue.map { "default \(Self.show($0))" } ?? (p.isOptional ? "optional" : "required")
                    lines.append("      \(p.name): \(p.kind.expectation); \(d). \(p.summary)")
                }
            }
            lines.append("")
        }
        print(lines.joined(separator: "\n"), terminator: "")
    }

    /// A default as an experiment file would spell it: strings quoted (so an empty one shows).
    static func show(_ value: ConfigValue) -> String {
        if case let .string(s) = value { return "\"\(s)\"" }
        return value.description
    }
}
