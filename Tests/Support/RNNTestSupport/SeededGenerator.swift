// The generator tests draw random inputs from: the library's own `Xoshiro256`, so that no test
// carries a generator of its own, and a failing sequence replays from its seed.

import RNNTensor

/// A seeded generator for test inputs (`SeededGenerator(seed: 42)`): the library's `Xoshiro256`.
/// The same seed gives the same numbers on every run and machine.
public typealias SeededGenerator = Xoshiro256
