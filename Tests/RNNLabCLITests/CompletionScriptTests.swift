// The shell completion scripts the README documents (`rnnlab --generate-completion-script SHELL`).

import RNNTestSupport
import XCTest

final class CompletionScriptTests: XCTestCase {
    func testCompletionScriptsPrintForBashZshAndFish() throws {
        let cli = try CLIHarness()
        let expected = ["bash": "complete -o filenames -F _rnnlab rnnlab", "zsh": "#compdef rnnlab", "fish": "complete -c 'rnnlab'"]
        for (shell, marker) in expected {
            let r = try cli.succeed(["--generate-completion-script", shell])
            XCTAssertTrue(r.stdout.contains(marker), "\(shell): no \"\(marker)\"")
            // Subcommands and the component kinds are offered.
            for word in ["sweep", "resume", "activation"] {
                XCTAssertTrue(r.stdout.contains(word), "\(shell) completion lacks \(word)")
            }
        }
    }
}
