// ChartPalette: the fixed, colour-blind-safe series colours (Okabe & Ito, 2008) in a fixed order,
// plus dash patterns that keep series apart once the colours run out.
// It will not pick colours by name or hash: series i always gets the same look.

import Foundation

/// Series colours and dash patterns, by series index.
public enum ChartPalette {
    /// Okabe–Ito colours, most distinguishable first; yellow last because it is faint on white.
    public static let colors: [String] = [
        "#0072B2", // blue
        "#D55E00", // vermillion
        "#009E73", // bluish green
        "#CC79A7", // reddish purple
        "#E69F00", // orange
        "#56B4E9", // sky blue
        "#000000", // black
        "#F0E442", // yellow
    ]

    /// The colour of the series at `index` (cycling after the palette runs out).
    public static func color(forSeries index: Int) -> String {
        precondition(index >= 0, "ChartPalette: negative series index \(index)")
        return colors[index % colors.count]
    }

    /// The SVG `stroke-dasharray` of the series at `index`: nil (solid) for the first round of
    /// colours, then dashed, dotted, dash-dotted for later rounds.
    public static func dashPattern(forSeries index: Int) -> String? {
        precondition(index >= 0, "ChartPalette: negative series index \(index)")
        let patterns: [String?] = [nil, "6 3", "2 3", "8 3 2 3"]
        return patterns[(index / colors.count) % patterns.count]
    }
}
