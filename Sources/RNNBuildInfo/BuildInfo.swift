// BuildInfo: what this binary was built from. The values come from a file the BuildCommit plugin
// (Plugins/BuildCommit) generates before every build.

/// Facts about the build of this binary.
public enum BuildInfo {
    /// The git commit of the source tree this binary was compiled from; nil when it was built
    /// outside a git checkout.
    public static var commit: String? {
        generatedCommit.count == 40 ? generatedCommit : nil
    }

    /// Whether tracked files differed from `commit` when this binary was built (so `commit`
    /// alone does not reproduce it).
    public static var treeModified: Bool {
        commit != nil && generatedTreeModified
    }
}
