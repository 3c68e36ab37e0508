// Tensor: owned, contiguous, row-major storage with a shape, aligned for SIMD.
//
// Reference semantics on purpose: the model's parameters, gradients and workspaces are
// allocated once and updated in place by BLAS and loops; nothing copies them implicitly.
// Use `copy()` for an explicit copy. Not thread-safe: one owner mutates it at a time.
//
// Shape legend used across rnnlab: B = batch streams, T = time steps in a chunk,
// E = embedding size, H = hidden size, V = vocabulary size.

/// A dense row-major array of `T` with a fixed shape.
public final class Tensor<Scalar: BLASScalar>: @unchecked Sendable {
    /// Sizes of each dimension, outermost first.
    public let shape: [Int]
    /// Number of elements (the product of `shape`).
    public let count: Int
    /// Start of the storage; valid for the tensor's lifetime.
    public let data: UnsafeMutablePointer<Scalar>

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Scalar>.stride, alignment: 64)
        self.data = raw.bindMemory(to: Scalar.self, capacity: max(count, 1))
        data.initialize(repeating: 0, count: max(count, 1))
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Scalar]) {
        self.init(zeros: shape)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { copyElements(from: $0.baseAddress!, to: data, count: count) }
    }

    deinit {
        UnsafeMutableRawPointer(data).deallocate()
    }

    /// The elements as a buffer.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Scalar> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// The elements as an array, in row-major order.
    public var array: [Scalar] { Array(buffer) }

    /// The tensor as a matrix: the first dimension is the rows, the rest is flattened into columns.
    /// A 1-D tensor is one row.
    @inlinable
    public var matrix: MatrixRef<Scalar> {
        if shape.count == 1 { return MatrixRef(data, rows: 1, cols: count) }
        let rows = shape.count == 0 ? 1 : shape[0]   // not `shape.first`: it allocates in debug builds
        return MatrixRef(data, rows: rows, cols: rows == 0 ? 0 : count / rows)
    }

    /// Sets every element to zero.
    @inlinable
    public func zero() { UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<Scalar>.stride) }

    /// Sets every element to `value`.
    @inlinable
    public func fill(_ value: Scalar) { data.update(repeating: value, count: count) }

    /// Copies the elements of `other`, which must have the same number of elements.
    @inlinable
    public func copy(from other: Tensor<Scalar>) {
        precondition(other.count == count, "Tensor.copy: \(other.shape) into \(shape)")
        copyElements(from: other.data, to: data, count: count)
    }

    /// A new tensor with the same shape and elements.
    public func copy() -> Tensor<Scalar> {
        let t = Tensor(zeros: shape)
        t.copy(from: self)
        return t
    }

    /// A new tensor of another element type with the same shape and converted elements.
    public func converted<U: BLASScalar>(to: U.Type = U.self) -> Tensor<U> {
        let t = Tensor<U>(zeros: shape)
        for i in 0..<count { t.data[i] = U(data[i]) }
        return t
    }

    /// Element access by flat index.
    @inlinable
    public subscript(i: Int) -> Scalar {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// Sum of squares of the elements, accumulated in Double.
    public func sumOfSquares() -> Double {
        var s = 0.0
        for i in 0..<count { let v = Double(data[i]); s += v * v }
        return s
    }
}

/// Copies `count` elements with memcpy: fast even from unspecialised generic code, where a
/// typed `update(from:count:)` would copy element by element through value witnesses.
@inlinable
public func copyElements<Scalar: BLASScalar>(from source: UnsafePointer<Scalar>, to destination: UnsafeMutablePointer<Scalar>, count: Int) {
    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * MemoryLayout<Scalar>.stride)
}
