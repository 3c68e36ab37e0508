// ShellQuoting: command lines written for people to copy into a shell (sweep.yaml's command, the
// dry run's child command). It will not quote for Windows shells.

/// `arg` as a POSIX shell word: unchanged when it holds only safe characters, else in single
/// quotes (an inner `'` becomes `'\''`). The empty string is `''`.
public func shellQuoted(_ arg: String) -> String {
    let safe = !arg.isEmpty && arg.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
    return safe ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
