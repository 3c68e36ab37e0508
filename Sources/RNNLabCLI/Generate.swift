// `rnnlab generate`: sample from a trained run (`rnnlab eval` is in Evaluate.swift).

import ArgumentParser
import Foundation
import RNNExperiments
import RNNTensor

struct Generate: RegistryCommand {
    static let configuration = CommandConfiguration(abstract: "Sample text from a trained run's best weights.")

    @Argument(help: "The run folder (results/<experiment>/<run>).", completion: .directory)
    var runDirectory: String

    @Option(help: "Tokens to generate (words or characters).")
    var words = 100

    @Option(help: "Sampling temperature (> 0; lower is more conservative).")
    var temperature = 1.0

    @Option(help: "Text to read before sampling.")
    var prime: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard words >= 1 else { throw ValidationError("--words must be ≥ 1, got \(words)") }
        guard temperature > 0, temperature.isFinite else { throw ValidationError("--temperature must be a number > 0, got \(temperature)") }
    }

    func run(registry: ComponentRegistry) throws {
        do {
            let trained = try TrainedModel.load(runDirectory: runDirectory, registry: registry)
            let prime = try self.prime.map { try trained.encode(Array($0.utf8), name: "--prime") } ?? []
            var rng = Xoshiro256(seed: seed)
            let sample = trained.sample(count: words, prime: prime, temperature: temperature, using: &rng)
            let primeText = self.prime.map { $0 + (trained.level == .word ? " " : "") } ?? ""
            print(primeText + trained.decode(sample))
        } catch { throw fail(error) }
    }
}

/// The bytes of the regular file at `path`, or a one-sentence error naming `option` and the path.
/// Refuses folders, devices and pipes (reading /dev/zero or a FIFO would never end).
func readTextFile(_ path: String, option: String) throws -> [UInt8] {
    var info = stat()
    guard stat(path, &info) == 0 else {
        throw UserFailure(message: "\(option): \(path) does not exist; give a text file")
    }
    if info.st_mode & S_IFMT == S_IFDIR { throw UserFailure(message: "\(option): \(path) is a folder; give a text file") }
    guard info.st_mode & S_IFMT == S_IFREG else {
        throw UserFailure(message: "\(option): \(path) is not a regular file (a device or a pipe?); give a text file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UserFailure(message: "\(option): \(path) cannot be read (permission denied?)")
    }
    return Array(data)
}
