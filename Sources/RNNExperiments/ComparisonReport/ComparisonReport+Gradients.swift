// ComparisonReport+Gradients: the gradient-through-time curves of the runs that recorded them
// (`diagnostics.gradient_through_time`), overlaid: one panel for the first recorded step (early in
// training) and one for the last, one line per run, log norm against distance.

import RNNRendering

extension ComparisonReport {
    /// `gradients.svg`, when any run recorded the gradient through time.
    func gradientFigure() -> ReportFigure? {
        let recorded = runs.filter { !$0.gradientCurves.isEmpty }
        guard !recorded.isEmpty else { return nil }
        func panel(_ title: String, _ pick: (ReportRun) -> (step: Int, points: [ChartPoint])) -> LineChart {
            LineChart(title: title, xLabel: "distance T − k (steps)", yLabel: "mean ‖∂L_T/∂h_k‖",
                      series: recorded.map { run in
                          let curve = pick(run)
                          return ChartSeries(name: "\(displayName(run)) (step \(curve.step))", points: curve.points)
                      },
                      yScale: .logarithmic)
        }
        let panels = [panel("first recorded step", { $0.gradientCurves.first! }),
                      panel("last recorded step", { $0.gradientCurves.last! })]
        return ReportFigure(fileName: "gradients.svg", title: "Gradients through time",
                            caption: "Mean norm of the gradient of the last position's loss with respect to the hidden state k steps back, early and late in training.",
                            figure: SVGFigure(panels: panels, columns: 2))
    }
}
