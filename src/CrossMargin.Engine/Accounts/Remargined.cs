namespace CrossMargin.Engine.Accounts;

/// <summary>
/// From a <see cref="MarginPass"/> to an account: at the newest market, the holdings of <paramref name="For"/> have
/// these figures and limits. The account takes them only while <paramref name="For"/> is still its entry; otherwise it
/// changed since, and margined itself at a market at least as new.
/// </summary>
/// <param name="For">The entry the figures were computed from.</param>
/// <param name="Margin">The figures.</param>
/// <param name="Limits">The limits those figures give.</param>
internal sealed record Remargined(MarginBookEntry For, MarginSummary Margin, AccountLimitsChanged Limits);
