namespace CrossMargin.Node.Api;

/// <summary>What happened to one index or mark of a prices message.</summary>
/// <param name="Symbol">The asset or instrument.</param>
/// <param name="Outcome"><c>accepted</c> or <c>rejected</c>.</param>
/// <param name="Code">The rejection reason's code.</param>
/// <param name="Reason">Why, with the numbers.</param>
public sealed record PriceOutcome(string Symbol, string Outcome, string? Code, string? Reason);
