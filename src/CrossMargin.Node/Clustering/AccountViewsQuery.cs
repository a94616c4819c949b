namespace CrossMargin.Node.Clustering;

/// <summary>The auto-deleveraging query every node answers with the views of its live accounts interested in <paramref name="Topics"/>.</summary>
/// <param name="Topics">Underlyings (and assets) the accounts must hold a position or order in.</param>
public sealed record AccountViewsQuery(IReadOnlyList<string> Topics);
