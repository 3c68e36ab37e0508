// Temporary stand-in until the fused, vectorised softmax kernels land (branch `kernels`).
// Same signatures; naive loops.
import RealModule

public protocol SoftmaxScalar {}
extension Float: SoftmaxScalar {}
extension Double: SoftmaxScalar {}

@_specialize(where T == Float)
public func softmaxCrossEntropyInPlace<T: BLASScalar>(_ logits: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int, targets: UnsafePointer<Int32>, gradScale: T, threads: Int = 1) -> Double {
    var total = 0.0
    for r in 0..<rows {
        let row = logits + r * ld
        var m = row[0]
        for j in 0..<cols { m = max(m, row[j]) }
        var s: T = 0
        for j in 0..<cols { row[j] = T.exp(row[j] - m); s += row[j] }
        let t = Int(targets[r])
        total -= Double(T.log(row[t] / s))
        for j in 0..<cols { row[j] = gradScale * row[j] / s }
        row[t] -= gradScale
    }
    return total
}

@_specialize(where T == Float)
public func softmaxNLL<T: BLASScalar>(_ logits: UnsafePointer<T>, rows: Int, cols: Int, ld: Int, targets: UnsafePointer<Int32>, threads: Int = 1) -> Double {
    var total = 0.0
    for r in 0..<rows {
        let row = logits + r * ld
        var m = row[0]
        for j in 0..<cols { m = max(m, row[j]) }
        var s: T = 0
        for j in 0..<cols { s += T.exp(row[j] - m) }
        total -= Double(row[Int(targets[r])] - m - T.log(s))
    }
    return total
}

@_specialize(where T == Float)
public func rowLogSumExp<T: BLASScalar>(_ x: UnsafePointer<T>, rows: Int, cols: Int, ld: Int, into out: UnsafeMutablePointer<T>) {
    for r in 0..<rows {
        let row = x + r * ld
        var m = row[0]
        for j in 0..<cols { m = max(m, row[j]) }
        var s: T = 0
        for j in 0..<cols { s += T.exp(row[j] - m) }
        out[r] = m + T.log(s)
    }
}
