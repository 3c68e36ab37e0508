// ExperimentError: a user error in an experiment, rendered as one sentence.

/// A problem with an experiment the user can fix: a bad value, a missing file, an unusable
/// corpus. Its description is one sentence naming the file or key path and what is valid.
public enum ExperimentError: Error, CustomStringConvertible, Equatable {
    case plain(String)
    /// A stop (a signal) was asked for while the data loaded; nothing was written.
    case stoppedBeforeTraining

    public var description: String {
        switch self {
        case let .plain(text): return text
        case .stoppedBeforeTraining: return "stopped before training started; nothing was written"
        }
    }
}
