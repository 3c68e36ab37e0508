// Initializer+Roles: first values for every parameter of a model, chosen by each parameter's
// role (embedding, input, recurrent, output, bias), plus the LSTM's forget-gate bias.
//
// Shapes: gated weights and biases are G blocks of H rows; the forget gate is the block named
// "f" in `Parameter.gates` (LSTM: [i, f, g, o]).

import RNNTensor

/// One initialisation rule per parameter role, and the options that depend on the cell.
public struct RoleInitialization: Sendable, Equatable {
    public var embedding: Initializer
    public var input: Initializer
    /// With `.orthogonal`, gated cells get one orthogonal matrix per gate block.
    public var recurrent: Initializer
    public var output: Initializer
    public var bias: Initializer
    /// When set, the forget-gate block of every LSTM bias is overwritten after the bias rule so
    /// that the gate's total bias is this value (Jozefowicz et al. 2015 use 1): `b_f = value`
    /// with one bias, `b_ih,f = b_hh,f = value / 2` with PyTorch's two. Cells without a forget
    /// gate are unaffected.
    public var forgetGateBias: Double?

    public init(embedding: Initializer, input: Initializer, recurrent: Initializer, output: Initializer,
                bias: Initializer, forgetGateBias: Double? = nil) {
        self.embedding = embedding
        self.input = input
        self.recurrent = recurrent
        self.output = output
        self.bias = bias
        self.forgetGateBias = forgetGateBias
    }

    /// The rule for parameters of `role`.
    public func rule(for role: ParameterRole) -> Initializer {
        switch role {
        case .embedding: return embedding
        case .input: return input
        case .recurrent: return recurrent
        case .output: return output
        case .bias: return bias
        }
    }

    /// Fills every parameter, in the given order, from `rng` (same order and seed, same numbers),
    /// then applies the forget-gate bias.
    public func apply<Scalar: BLASScalar>(to parameters: [Parameter<Scalar>], using rng: inout Xoshiro256) {
        for p in parameters { rule(for: p.role).fill(p, using: &rng) }
        guard let forgetGateBias else { return }
        // A layer's biases share its name prefix (`cell.` or `cell.l1.`); split the value among them.
        func prefix(_ p: Parameter<Scalar>) -> Substring { p.name[..<(p.name.lastIndex(of: ".") ?? p.name.startIndex)] }
        let forgetBiases = parameters.filter { $0.role == .bias && $0.gates.contains("f") }
        for p in forgetBiases {
            guard let block = p.gates.firstIndex(of: "f") else { continue }
            let share = forgetBiases.filter { prefix($0) == prefix(p) }.count
            let blockRows = p.count / p.gates.count, start = block * blockRows
            for i in start..<(start + blockRows) { p.value[i] = Scalar(forgetGateBias / Double(share)) }
        }
    }
}
