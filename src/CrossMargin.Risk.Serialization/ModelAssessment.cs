using CrossMargin.Risk.Margin;

namespace CrossMargin.Risk.Serialization;

/// <summary>One model's assessment of a portfolio in a side-by-side report, or why that model could not assess it.</summary>
/// <param name="Model">The model's name as selected (standard, portfolio, simm, var, es, composite).</param>
/// <param name="Margin">The assessment, or null when the model could not give one.</param>
/// <param name="Error">Why not (an underlying missing from the price history, say), or null.</param>
public sealed record ModelAssessment(string Model, AccountMargin? Margin, string? Error);
