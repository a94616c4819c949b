namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Asks an <see cref="AccountActor"/> for a fresh assessment at the newest market: the Risk
/// <see cref="Risk.Margin.AccountMargin"/>, with its explanation; a <c>Status.Failure</c> when it cannot be margined.
/// </summary>
public sealed record ExplainMargin
{
    /// <summary>The one instance.</summary>
    public static ExplainMargin Instance { get; } = new();
}
