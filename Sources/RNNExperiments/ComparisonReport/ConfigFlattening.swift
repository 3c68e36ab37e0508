// ConfigFlattening: a config tree as dotted keys and one-line values (`model.hidden_size` → `200`,
// `training.optimizer.name` → `sgd`), so that runs can be compared key by key to find what a
// sweep changed. It will not interpret the values.

import RNNYAML

/// The leaves of a YAML mapping as `(dotted key, flow text)` pairs in document order.
///
/// Mappings are descended into; everything else (scalars, null, sequences) is a leaf written as
/// one-line YAML (`YAMLNode.flowText`); an empty mapping is the leaf `{}`. A non-mapping root
/// is a single leaf with the empty key.
public func flattenConfig(_ node: YAMLNode) -> [(key: String, value: String)] {
    var out: [(key: String, value: String)] = []
    func walk(_ n: YAMLNode, _ prefix: String) {
        if let entries = n.mapping, !entries.isEmpty {
            for e in entries { walk(e.value, prefix.isEmpty ? e.key : prefix + "." + e.key) }
        } else {
            out.append((prefix, n.flowText))
        }
    }
    walk(node, "")
    return out
}
