namespace CrossMargin.Risk.Margin;

/// <summary>One component of a composite requirement.</summary>
/// <param name="Model">The component model's name.</param>
/// <param name="Requirement">Its requirement and explanation.</param>
public sealed record ModelRequirement(string Model, MarginRequirement Requirement);
