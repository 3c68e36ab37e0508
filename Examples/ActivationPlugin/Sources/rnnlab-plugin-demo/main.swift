// A plugin that adds two activations to rnnlab: `softsign` (no parameters) and `leaky_relu`
// (with a `slope` parameter), and a cell: `indrnn` (IndRNN, in the PluginCells target), then
// starts the usual command line. Everything else — YAML, validation, `rnnlab components`, runs,
// stacks (`model.layers`), sweeps, reports — works for them unchanged.

import PluginCells
import RealModule
import RNNExperiments
import RNNLabCLI
import RNNModel

/// softsign(x) = x / (1 + |x|); its derivative is 1 / (1 + |x|)².
struct Softsign: ScalarActivation {
    var name: String { "softsign" }
    func value<T: Real & BinaryFloatingPoint>(_ x: T) -> T { x / (1 + abs(x)) }
    func derivative<T: Real & BinaryFloatingPoint>(input x: T, output y: T) -> T { let d = 1 + abs(x); return 1 / (d * d) }
}

/// leaky_relu(x) = x for x > 0, slope · x otherwise.
struct LeakyReLU: ScalarActivation {
    var slope: Double
    var name: String { "leaky_relu" }
    func value<T: Real & BinaryFloatingPoint>(_ x: T) -> T { x > 0 ? x : T(slope) * x }
    func derivative<T: Real & BinaryFloatingPoint>(input x: T, output y: T) -> T { x > 0 ? 1 : T(slope) }
}

/// leaky_relu's parameters: one typed value, each field declared once (key, range, meaning; the
/// default is the initial value).
struct LeakyReLUParameters: ComponentParameters {
    var slope = 0.01
    static let declaration = ParameterDeclaration<Self>()
        .number("slope", \.slope, .double(min: 0, max: 1), "slope for negative inputs")
}

var registry = ComponentRegistry.builtin
do {
    try registry.register(activation: ComponentFactory("softsign", "x / (1 + |x|), from the plugin demo") { _, _ in Softsign() })
    try registry.register(activation: ComponentFactory(
        "leaky_relu", "x for x > 0, else slope·x, from the plugin demo", parameters: LeakyReLUParameters.self
    ) { p, _ in LeakyReLU(slope: p.slope) })
    try registry.register(cell: .indrnn)
} catch {
    fatalError("plugin registration: \(error)")
}
RNNLab.main(registry: registry)
