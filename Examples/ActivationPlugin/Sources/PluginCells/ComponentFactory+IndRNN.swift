// The factory that registers `IndRNNCell` as the cell `indrnn`: the only place the plugin's cell
// meets the registry (sizes, activation, bias and the layer's name prefix from `CellContext`).

import RNNExperiments
import RNNModel

extension ComponentFactory where Context == CellContext, Product == any RecurrentCell<Float> {
    /// `indrnn`: h_t = g(W x_t + u ⊙ h_{t-1} + b), g being `model.activation` (Li et al. use relu).
    public static var indrnn: Self {
        ComponentFactory("indrnn", "IndRNN (Li et al. 2018): h_t = g(W e_t + u ⊙ h_{t-1} + b), u a vector; from the plugin demo") { _, c in
            IndRNNCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: c.bias,
                              namePrefix: c.namePrefix)
        }
    }
}
