// The rnnlab executable: the CLI with the built-in components.
import RNNExperiments
import RNNLabCLI

RNNLab.main(registry: .builtin)
