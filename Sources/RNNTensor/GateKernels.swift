// GateKernels: the pointwise part of one LSTM or GRU step for one stream, fused into one pass
// over Float SIMD vectors: gate nonlinearities, state update and output together, so that each
// element is loaded and stored once.
//
// Shapes (one row of a step): H = hidden size; LSTM gates (4H) in PyTorch's order [i, f, g, o],
// GRU gates (3H) in [r, z, n]. The cells (RNNModel) hold the reference scalar loops these mirror
// (used for Double) and document the equations; σ and tanh are VectorSigmoid's and VectorTanh's.
// Will not: handle Double, or the backward pass (the cells' backward loops are scalar).

/// One LSTM row, in place: `gates` (4H) holds the pre-activations [a_i, a_f, a_g, a_o] and is
/// overwritten with [σ(a_i), σ(a_f), tanh(a_g), σ(a_o)]; then c = f ⊙ cPrev + i ⊙ g,
/// tanhC = tanh(c), h = o ⊙ tanhC (each H).
public func lstmStepRowFloat(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                             tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, hidden H: Int) {
    let width = FloatVector.scalarCount
    var j = 0
    while j < H {
        let n = min(width, H - j)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> FloatVector {
            n == width ? loadVector(p) : loadPartialVector(p, count: n, padding: 0)
        }
        @inline(__always) func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
            if n == width { storeVector(v, p) } else { storePartialVector(v, p, count: n) }
        }
        let i = sigmoidVector(load(gates + j))
        let f = sigmoidVector(load(gates + H + j))
        let g = tanhVector(load(gates + 2 * H + j))
        let o = sigmoidVector(load(gates + 3 * H + j))
        let cNew = f * load(cPrev + j) + i * g
        let t = tanhVector(cNew)
        store(i, gates + j)
        store(f, gates + H + j)
        store(g, gates + 2 * H + j)
        store(o, gates + 3 * H + j)
        store(cNew, c + j)
        store(t, tanhC + j)
        store(o * t, h + j)
        j += n
    }
}

/// One GRU row, in place: `gates` (3H) holds the input-side pre-activations a = W x + b_ih and is
/// overwritten with [r, z, n] where r = σ(a_r + ĥ_r), z = σ(a_z + ĥ_z), n = tanh(a_n + r ⊙ ĥ_n);
/// `hiddenGates` (3H) is ĥ = U h_{t-1} + b_hh; h = (1 − z) ⊙ n + z ⊙ hPrev (each H).
public func gruStepRowFloat(gates: UnsafeMutablePointer<Float>, hiddenGates: UnsafePointer<Float>, hPrev: UnsafePointer<Float>,
                            h: UnsafeMutablePointer<Float>, hidden H: Int) {
    let width = FloatVector.scalarCount
    var j = 0
    while j < H {
        let n = min(width, H - j)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> FloatVector {
            n == width ? loadVector(p) : loadPartialVector(p, count: n, padding: 0)
        }
        @inline(__always) func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
            if n == width { storeVector(v, p) } else { storePartialVector(v, p, count: n) }
        }
        let r = sigmoidVector(load(gates + j) + load(hiddenGates + j))
        let z = sigmoidVector(load(gates + H + j) + load(hiddenGates + H + j))
        let newGate = tanhVector(load(gates + 2 * H + j) + r * load(hiddenGates + 2 * H + j))
        store(r, gates + j)
        store(z, gates + H + j)
        store(newGate, gates + 2 * H + j)
        store((1 - z) * newGate + z * load(hPrev + j), h + j)
        j += n
    }
}
