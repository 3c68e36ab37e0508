// Scratch: plain-value workspaces (row numbers, word ids, tree paths) that the output layers grow
// to the largest size a call needs and then reuse, so that a training step allocates nothing.

/// Scratch storage of plain values (row numbers, class ids) that grows to the largest count asked
/// for and is then reused. Its contents between calls mean nothing.
final class Scratch<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity = 1

    init() { base = .allocate(capacity: 1) }
    deinit { base.deallocate() }

    /// At least `count` elements, uninitialised (write before reading); grows only when needed.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if capacity < count {
            base.deallocate()
            base = .allocate(capacity: count)
            capacity = count
        }
        return base
    }
}
