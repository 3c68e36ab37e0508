// Two built-in components for the end of a run: the `asgd` optimizer (NT-ASGD, Merity et al.
// 2017: SGD that averages its iterates from the first validation that fails the non-monotone
// test) and the `budget` schedule (constant, then annealing planned to end with the run's time
// budget or step limit). Registered in ComponentRegistry+Builtins.swift.

import RNNTraining

struct AveragedSGDParameters: ComponentParameters {
    var lr = 1.0, nonmono = 5
    static let declaration = ParameterDeclaration<Self>()
        .number("lr", \.lr, .double(min: 0, exclusiveMin: true), "learning rate (the schedule takes it from there)")
        .int("nonmono", \.nonmono, .int(min: 0, max: 10_000),
             "average from the first validation worse than the best of those more than nonmono validations back")
}

let averagedSGDOptimizer = ComponentFactory<Void, OptimizerSetup>(
    "asgd", "NT-ASGD (Merity et al. 2017): SGD, then from a non-monotone trigger on validation the average of the iterates is the model",
    parameters: AveragedSGDParameters.self) { a, _ in
    OptimizerSetup(optimizer: AveragedSGD<Float>(nonmono: a.nonmono), learningRate: a.lr)
}

struct BudgetScheduleParameters: ComponentParameters {
    var constantFraction = 0.5, shape = AnnealingShape.cosine.rawValue, finalFactor = 0.01, warmupSteps = 100
    static let declaration = ParameterDeclaration<Self>()
        .number("constant_fraction", \.constantFraction, .double(min: 0, max: 0.99),
                "share of the planned steps at the initial learning rate before annealing")
        .string("shape", \.shape, choices: AnnealingShape.allCases.map(\.rawValue), "how the rate anneals: linear, cosine or exponential")
        .number("final_factor", \.finalFactor, .double(min: 0, max: 1, exclusiveMin: true),
                "the learning rate at the planned last step (and after it) over the initial one")
        .int("warmup_steps", \.warmupSteps, .int(min: 1),
             "with a time budget: steps trained before the first plan (revised later in the constant part)")
}

let budgetSchedule = ComponentFactory<ScheduleContext, any LearningRateSchedule>(
    "budget", "constant, then annealing planned in steps to end with time_budget (measured after warmup_steps) or the epoch or step limit",
    parameters: BudgetScheduleParameters.self) { a, c in
    BudgetSchedule(learningRate: c.learningRate, constantFraction: a.constantFraction,
                   shape: AnnealingShape(rawValue: a.shape) ?? .cosine, finalFactor: a.finalFactor, warmupSteps: a.warmupSteps)
}
