// SideBySide: one configuration measured by rnnlab and by the PyTorch reference in the same
// invocation, repeats alternating, and the table `rnnlab bench --against pytorch` prints.
// A ratio is made only here, only from these two sets of figures.

import Foundation
import RNNRendering

struct SideBySide: Codable, Sendable {
    var config: String
    var rnnlab: [BenchmarkResult]
    /// Empty when torch was not importable.
    var pytorch: [PyTorchResult]
    /// The load average (1, 5, 15 min) when this configuration's last repeat ended.
    var loadAverage: String

    enum CodingKeys: String, CodingKey {
        case config, rnnlab, pytorch, loadAverage = "load_average"
        case rnnlabTrain = "rnnlab_train_tokens_per_sec", rnnlabEval = "rnnlab_eval_tokens_per_sec"
        case pytorchTrain = "pytorch_train_tokens_per_sec", pytorchEval = "pytorch_eval_tokens_per_sec"
        case trainRatio = "train_ratio", evalRatio = "eval_ratio"
        case rnnlabPeakRSS = "rnnlab_peak_rss_mb", pytorchPeakRSS = "pytorch_peak_rss_mb"
    }

    init(config: String, rnnlab: [BenchmarkResult], pytorch: [PyTorchResult], loadAverage: String) {
        self.config = config
        self.rnnlab = rnnlab
        self.pytorch = pytorch
        self.loadAverage = loadAverage
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(String.self, forKey: .config)
        rnnlab = try c.decode([BenchmarkResult].self, forKey: .rnnlab)
        pytorch = try c.decode([PyTorchResult].self, forKey: .pytorch)
        loadAverage = try c.decode(String.self, forKey: .loadAverage)
    }

    /// The measurements, then the medians and ratios (nil without PyTorch figures).
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(rnnlab, forKey: .rnnlab)
        try c.encode(pytorch, forKey: .pytorch)
        try c.encode(loadAverage, forKey: .loadAverage)
        try c.encode(rnnlabTrain, forKey: .rnnlabTrain)
        try c.encode(rnnlabEval, forKey: .rnnlabEval)
        try c.encode(rnnlabPeakRSS, forKey: .rnnlabPeakRSS)
        try c.encodeIfPresent(pytorchTrain, forKey: .pytorchTrain)
        try c.encodeIfPresent(pytorchEval, forKey: .pytorchEval)
        try c.encodeIfPresent(pytorchPeakRSS, forKey: .pytorchPeakRSS)
        try c.encodeIfPresent(trainRatio, forKey: .trainRatio)
        try c.encodeIfPresent(evalRatio, forKey: .evalRatio)
    }

    var rnnlabTrain: Double { Self.median(rnnlab.map(\.trainTokensPerSec)) }
    var rnnlabEval: Double { Self.median(rnnlab.map(\.evalTokensPerSec)) }
    /// The largest of the repeats.
    var rnnlabPeakRSS: Double { rnnlab.map(\.peakRSSMB).max() ?? .nan }
    var pytorchTrain: Double? { pytorch.isEmpty ? nil : Self.median(pytorch.map(\.trainTokensPerSec)) }
    var pytorchEval: Double? { pytorch.isEmpty ? nil : Self.median(pytorch.map(\.evalTokensPerSec)) }
    var pytorchPeakRSS: Double? { pytorch.map(\.peakRSSMB).max() }
    var trainRatio: Double? { pytorchTrain.map { rnnlabTrain / $0 } }
    var evalRatio: Double? { pytorchEval.map { rnnlabEval / $0 } }

    /// The middle value (the mean of the two middle ones for an even count); NaN when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let s = values.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// The side-by-side table; without PyTorch figures, rnnlab's columns only.
    static func table(_ rows: [SideBySide]) -> MarkdownTable {
        let withTorch = rows.contains { !$0.pytorch.isEmpty }
        let titles = withTorch
            ? ["configuration", "train tok/s rnnlab", "PyTorch", "ratio", "eval tok/s rnnlab", "PyTorch", "ratio",
               "peak RSS MB rnnlab", "PyTorch"]
            : ["configuration", "train tok/s rnnlab", "eval tok/s rnnlab", "peak RSS MB rnnlab"]
        var table = MarkdownTable(columns: titles.enumerated().map { .init($1, alignment: $0 == 0 ? .left : .right) })
        func n(_ x: Double?) -> String { x.map { String(format: "%.0f", $0) } ?? "-" }
        func ratio(_ x: Double?) -> String { x.map { String(format: "%.2f×", $0) } ?? "-" }
        for r in rows {
            table.append(withTorch
                ? [r.config, n(r.rnnlabTrain), n(r.pytorchTrain), ratio(r.trainRatio), n(r.rnnlabEval), n(r.pytorchEval),
                   ratio(r.evalRatio), n(r.rnnlabPeakRSS), n(r.pytorchPeakRSS)]
                : [r.config, n(r.rnnlabTrain), n(r.rnnlabEval), n(r.rnnlabPeakRSS)])
        }
        return table
    }
}
