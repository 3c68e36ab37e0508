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
        let cellFactory = try factory(cells, .cell, m.cell, at: "model.cell")
        func layer(_ l: Int) throws -> any RecurrentCell<Float> {
            let context = CellContext(inputSize: l == 0 ? m.embeddingSize : m.hiddenSize, hiddenSize: m.hiddenSize,
                                      activation: activation, bias: m.bias,
                                      namePrefix: StackedCell<Float>.layerPrefix(l, of: m.layers))
            return try cellFactory.build(m.cell.arguments, context)
        }
        let cell: any RecurrentCell<Float>
        if m.layers == 1 {
            cell = try layer(0)
        } else {
            cell = StackedCell<Float>(layers: try (0..<m.layers).map(layer), dropout: m.dropoutBetweenLayers)
        }
        let names = cell.parameters.map(\.name)
        if Set(names).count != names.count {
            throw ExperimentError("cell \(m.cell.name) gives two parameters one name (\(names.joined(separator: ", "))); its factory must prefix its names with CellContext.namePrefix",
                                  keyPath: "model.cell")
        }
        let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: m.embeddingSize)
        let outputContext = OutputContext(embedding: embedding, hiddenSize: cell.outputSize, vocabularySize: V, tied: m.tied,
                                          bias: m.bias, tokenCounts: corpus.vocabulary.counts, threads: threads)
        var output: (any OutputLayer<Float>)!
        try keyed("model.output") {
            output = try factory(outputs, .output, m.output, at: "model.output").build(m.output.arguments, outputContext)
        }
        var model: LanguageModel<Float>!
        try keyed("model") { model = try LanguageModel(embedding: embedding, cell: cell, output: output) }

        // Initialise every parameter by the role its layer gave it.
        let initContext = InitializerContext(hiddenSize: m.hiddenSize)
        let i = m.initialization
        func rule(_ choice: ComponentChoice, _ role: ParameterRole) throws -> Initializer {
            try factory(self.initializers, .initializer, choice, at: "model.init.\(role.rawValue)").build(choice.arguments, initContext)
        }
        if i.forgetGateBias != nil, !model.parameters.contains(where: { $0.gates.contains("f") }) {
            throw ExperimentError("cell \(m.cell.name) has no forget gate; remove the key or use cell: lstm", keyPath: "model.init.forget_gate_bias")
        }
        let roles = RoleInitialization(embedding: try rule(i.embedding, .embedding), input: try rule(i.input, .input),
                                       recurrent: try rule(i.recurrent, .recurrent), output: try rule(i.output, .output),
                                       bias: try rule(i.bias, .bias), forgetGateBias: i.forgetGateBias)
        var rng = Xoshiro256(seed: config.seed, stream: 1)
        roles.apply(to: model.parameters, using: &rng)

        model.dropout = DropoutRates(embedding: m.dropoutEmbedding, output: m.dropoutOutput)
        model.dropoutGenerator = Xoshiro256(seed: config.seed, stream: 2)
        // An output layer that samples while training (NCE's noise) draws from its own stream.
        if model.output.randomGenerator != nil { model.output.randomGenerator = Xoshiro256(seed: config.seed, stream: 3) }

        let t = config.training
        let setup = try factory(optimizers, .optimizer, t.optimizer, at: "training.optimizer").build(t.optimizer.arguments, ())
        let schedule = try factory(schedules, .schedule, t.schedule, at: "training.schedule")
            .build(t.schedule.arguments, ScheduleContext(learningRate: setup.learningRate))
        return BuiltModel(model: model, optimizer: setup.optimizer, schedule: schedule, learningRate: setup.learningRate)
    }
}
