using CrossMargin.Node.Hosting;

namespace CrossMargin.Node.Operations;

/// <summary>The parameter sets one member has in force, as it answered.</summary>
/// <param name="Node">The member.</param>
/// <param name="Answered">Whether it answered.</param>
/// <param name="Sets">Its sets per slot (empty when it did not answer).</param>
/// <param name="Problem">Why it did not answer.</param>
public sealed record NodeParameterSets(string Node, bool Answered, IReadOnlyList<RiskParameterSet> Sets, string? Problem);
