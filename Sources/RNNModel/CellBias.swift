// CellBias: how a recurrent cell biases its pre-activations.
//
// One bias per gate block is all the maths needs for the Elman and LSTM cells. PyTorch keeps two
// (b_ih and b_hh) that always receive the same gradient; the function is the same, but the
// gradient norm (hence clipping) and the optimizer's steps are not, so matching PyTorch's
// numbers exactly needs its layout. The GRU needs both: b_hn sits inside the reset product.

/// The bias layout of a recurrent cell.
public enum CellBias: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// No bias.
    case none
    /// One bias `b` (G·H) added to the pre-activations (Elman and LSTM only).
    case single
    /// PyTorch's two biases: `b_ih` (G·H) added with the input projection, `b_hh` (G·H) with the
    /// recurrent one.
    case split

    /// `.single` when `bias` is true, else `.none`: the layout the Elman cell always had.
    public init(_ bias: Bool) { self = bias ? .single : .none }
}
