namespace CrossMargin.Risk.Margin;

/// <summary>A composite requirement: IM is the largest component IM, MM the largest component MM.</summary>
/// <param name="InitialBinding">The model whose IM binds (the first of equals, in the composite's order).</param>
/// <param name="MaintenanceBinding">The model whose MM binds.</param>
/// <param name="Components">Every component's requirement, in the composite's order.</param>
public sealed record CompositeExplanation(string InitialBinding, string MaintenanceBinding, IReadOnlyList<ModelRequirement> Components);
