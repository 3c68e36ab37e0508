// ModelBuilder: an experiment's model section + its corpus → an initialised LanguageModel, built
// entirely through the registry's factories.

import RNNData
import RNNModel
import RNNTensor
import RNNTraining
import RNNYAML

/// The built parts of a run.
public struct BuiltModel {
    public var model: LanguageModel<Float>
    public var optimizer: any Optimizer<Float>
    public var schedule: any LearningRateSchedule
    public var learningRate: Double
}

/// Runs `body`, placing an error thrown by a factory or a layer under `keyPath`.
func keyed(_ keyPath: String, _ body: () throws -> Void) throws(ExperimentError) {
    do { try body() } catch { throw ExperimentError(wrapping: error).at(keyPath) }
}

extension ComponentRegistry {
    /// Builds and initialises the model, optimizer and schedule of `config` for `corpus`.
    ///
    /// Parameters are drawn from the experiment seed's initialisation stream, so the same
    /// config and seed give the same starting weights.
    public func buildModel(_ config: ExperimentConfig, corpus: Corpus, threads: Int) throws -> BuiltModel {
        let m = config.model
        let V = corpus.vocabulary.count
        let activation = try factory(activations, .activation, m.activation, at: "model.activation").build(m.activation.arguments, ())
        let cellContext = CellContext(inputSize: m.embeddingSize, hiddenSize: m.hiddenSize, activation: activation, bias: m.bias)
        let cell = try factory(cells, .cell, m.cell, at: "model.cell").build(m.cell.arguments, cellContext)
        let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: m.embeddingSize)
        let outputContext = OutputContext(embedding: embedding, hiddenSize: cell.outputSize, vocabularySize: V, tied: m.tied,
                                          bias: m.bias, tokenCounts: corpus.vocabulary.counts, threads: threads)
        var output: (any OutputLayer<Float>)!
        try keyed("model.output") {
            output = try factory(outputs, .output, m.output, at: "model.output").build(m.output.arguments, outputContext)
        }
        var model: LanguageModel<Float>!
        try keyed("model") { model = try LanguageModel(embedding: embedding, cell: cell, output: output) }

        // Initialise every parameter by its role.
        let initContext = InitializerContext(hiddenSize: m.hiddenSize)
        let i = m.initialization
        let rules: [(ComponentChoice, String)] = [(i.embedding, "embedding"), (i.input, "input"), (i.recurrent, "recurrent"),
                                                  (i.output, "output"), (i.bias, "bias")]
        var initializers: [String: Initializer] = [:]
        for (choice, role) in rules {
            initializers[role] = try factory(self.initializers, .initializer, choice, at: "model.init.\(role)").build(choice.arguments, initContext)
        }
        var rng = Xoshiro256(seed: config.seed, stream: 1)
        for p in model.parameters {
            let role: String
            if p === embedding.table { role = "embedding" }
            else if p.shape.count == 1 { role = "bias" }
            else if p.name.hasSuffix(".W") || p.name.hasSuffix("_ih") { role = "input" }
            else if p.name.hasSuffix(".U") || p.name.hasSuffix("_hh") { role = "recurrent" }
            else { role = "output" }
            initializers[role]!.fill(p.value, using: &rng)
        }

        model.dropout = DropoutRates(embedding: m.dropoutEmbedding, output: m.dropoutOutput)
        model.dropoutGenerator = Xoshiro256(seed: config.seed, stream: 2)

        let t = config.training
        let setup = try factory(optimizers, .optimizer, t.optimizer, at: "training.optimizer").build(t.optimizer.arguments, ())
        let schedule = try factory(schedules, .schedule, t.schedule, at: "training.schedule")
            .build(t.schedule.arguments, ScheduleContext(learningRate: setup.learningRate))
        return BuiltModel(model: model, optimizer: setup.optimizer, schedule: schedule, learningRate: setup.learningRate)
    }
}
