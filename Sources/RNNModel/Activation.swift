// Activation: the elementwise nonlinearity g of a recurrent cell, forward next to backward.
//
// Built-ins are tanh, relu and sigmoid. A plugin adds its own by conforming to
// `ScalarActivation` (one scalar function and its derivative); the buffer loops come for free
// and are specialised for Float and Double.
//
// Shapes: buffers are flat runs of `count` = B·H elements (one step's rows of a cell).

import RNNTensor
import RealModule

/// An elementwise activation over buffers, in Float and in Double.
///
/// `forward` may be called with `y == a` (in place). `backward` computes
/// `da = dy ⊙ g'(a)` from the pre-activation `a` and the output `y = g(a)`; it may be called
/// with `da == dy`.
public protocol Activation: Sendable {
    /// The name it is registered under, e.g. `tanh`.
    var name: String { get }
    func forward(_ a: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    func forward(_ a: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int)
    func backward(preactivation a: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                  upstream dy: UnsafePointer<Float>, into da: UnsafeMutablePointer<Float>, count: Int)
    func backward(preactivation a: UnsafePointer<Double>, output y: UnsafePointer<Double>,
                  upstream dy: UnsafePointer<Double>, into da: UnsafeMutablePointer<Double>, count: Int)
}

extension Activation {
    /// Generic entry point used by the cells: dispatches to the Float or Double implementation.
    @inlinable
    public func apply<Scalar: BLASScalar>(_ a: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, count: Int) {
        if Scalar.self == Float.self {
            forward(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
        } else if Scalar.self == Double.self {
            forward(UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), count: count)
        } else {
            preconditionFailure("Activation: unsupported scalar type \(Scalar.self)")
        }
    }

    /// Generic entry point used by the cells: dispatches to the Float or Double implementation.
    @inlinable
    public func gradient<Scalar: BLASScalar>(preactivation a: UnsafePointer<Scalar>, output y: UnsafePointer<Scalar>,
                                        upstream dy: UnsafePointer<Scalar>, into da: UnsafeMutablePointer<Scalar>, count: Int) {
        if Scalar.self == Float.self {
            backward(preactivation: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                     output: UnsafeRawPointer(y).assumingMemoryBound(to: Float.self),
                     upstream: UnsafeRawPointer(dy).assumingMemoryBound(to: Float.self),
                     into: UnsafeMutableRawPointer(da).assumingMemoryBound(to: Float.self), count: count)
        } else if Scalar.self == Double.self {
            backward(preactivation: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                     output: UnsafeRawPointer(y).assumingMemoryBound(to: Double.self),
                     upstream: UnsafeRawPointer(dy).assumingMemoryBound(to: Double.self),
                     into: UnsafeMutableRawPointer(da).assumingMemoryBound(to: Double.self), count: count)
        } else {
            preconditionFailure("Activation: unsupported scalar type \(Scalar.self)")
        }
    }
}

/// An activation defined by one scalar function and its derivative; the buffer loops of
/// `Activation` are provided. The easiest way for a plugin to add an activation.
public protocol ScalarActivation: Activation {
    /// g(x).
    func value<Scalar: Real & BinaryFloatingPoint>(_ x: Scalar) -> Scalar
    /// g'(x), given x and y = g(x) (use whichever is cheaper).
    func derivative<Scalar: Real & BinaryFloatingPoint>(input x: Scalar, output y: Scalar) -> Scalar
}

extension ScalarActivation {
    @inlinable
    public func forward(_ a: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = value(a[i]) }
    }
    @inlinable
    public func forward(_ a: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = value(a[i]) }
    }
    @inlinable
    public func backward(preactivation a: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         upstream dy: UnsafePointer<Float>, into da: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { da[i] = dy[i] * derivative(input: a[i], output: y[i]) }
    }
    @inlinable
    public func backward(preactivation a: UnsafePointer<Double>, output y: UnsafePointer<Double>,
                         upstream dy: UnsafePointer<Double>, into da: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { da[i] = dy[i] * derivative(input: a[i], output: y[i]) }
    }
}

/// Hyperbolic tangent: g(x) = tanh x, g' = 1 − y².
public struct Tanh: ScalarActivation {
    public init() {}
    public var name: String { "tanh" }
    /// The vectorised kernel (the recurrence calls this T·B·H times per chunk).
    public func forward(_ a: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        tanhFloat(a, y, count: count)
    }
    @inlinable public func value<Scalar: Real & BinaryFloatingPoint>(_ x: Scalar) -> Scalar { Scalar.tanh(x) }
    @inlinable public func derivative<Scalar: Real & BinaryFloatingPoint>(input x: Scalar, output y: Scalar) -> Scalar { 1 - y * y }
}

/// Rectified linear unit: g(x) = max(0, x), g' = 1 for x > 0, else 0 (PyTorch's choice at 0).
public struct ReLU: ScalarActivation {
    public init() {}
    public var name: String { "relu" }
    @inlinable public func value<Scalar: Real & BinaryFloatingPoint>(_ x: Scalar) -> Scalar { x > 0 ? x : 0 }
    @inlinable public func derivative<Scalar: Real & BinaryFloatingPoint>(input x: Scalar, output y: Scalar) -> Scalar { x > 0 ? 1 : 0 }
}

/// Logistic sigmoid: g(x) = 1 / (1 + e^−x), g' = y (1 − y).
public struct Sigmoid: ScalarActivation {
    public init() {}
    public var name: String { "sigmoid" }
    @inlinable public func value<Scalar: Real & BinaryFloatingPoint>(_ x: Scalar) -> Scalar {
        // Written so that neither branch overflows.
        if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
        let e = Scalar.exp(x)
        return e / (1 + e)
    }
    @inlinable public func derivative<Scalar: Real & BinaryFloatingPoint>(input x: Scalar, output y: Scalar) -> Scalar { y * (1 - y) }
}
