// `rnnlab components`: every registered component with its parameters and defaults.

import ArgumentParser
import RNNExperiments
import RNNYAML

struct Components: RegistryCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the registered components (cells, activations, outputs, optimizers, schedules, datasets, initializers) with their parameters.")

    @Option(help: "Only this kind: \(ComponentKind.allCases.map(\.rawValue).joined(separator: ", ")).",
            completion: .list(ComponentKind.allCases.map(\.rawValue)))
    var kind: String?

    func run(registry: ComponentRegistry) throws {
        var kinds = ComponentKind.allCases
        if let kind {
            guard let k = ComponentKind(rawValue: kind) else {
                throw ValidationError(ExperimentError.unknownName(kind, kind: "kind", valid: ComponentKind.allCases.map(\.rawValue), keyPath: "--kind").description)
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
