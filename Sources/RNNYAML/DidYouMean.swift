// "Did you mean …?" suggestions for misspelled keys and names, shared by config decoding and the
// component registry.
//
// Pure string functions; no knowledge of YAML or of what the candidates are.

/// The candidate closest to `word`, if it is close enough to be a plausible typo; nil otherwise.
///
/// Closeness is the optimal-string-alignment edit distance (insertions, deletions, substitutions
/// and swaps of adjacent characters each cost 1), compared case-insensitively. A candidate is
/// plausible when its distance is at most `max(1, word.count / 3)` and less than the length of
/// both strings (so `lr` never suggests `wd`). Ties go to the alphabetically first candidate, so
/// the answer does not depend on the order of `among`. A candidate equal to `word` is returned
/// as is; an empty `word` or empty `among` gives nil.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
    guard !word.isEmpty else { return nil }
    let target = Array(word.lowercased().unicodeScalars)
    let limit = max(1, target.count / 3)
    var best: (distance: Int, name: String)?
    for candidate in candidates.sorted() {
        let c = Array(candidate.lowercased().unicodeScalars)
        let d = editDistance(target, c)
        guard d <= limit, d < target.count, d < c.count else { continue }
        if best == nil || d < best!.distance { best = (d, candidate) }
    }
    return best?.name
}

/// Optimal-string-alignment distance between two scalar arrays.
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rolling rows: two back (for transpositions), previous and current.
    var twoBack = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                v = min(v, twoBack[j - 2] + 1)
            }
            current[j] = v
        }
        (twoBack, previous, current) = (previous, current, twoBack)
    }
    return previous[b.count]
}
