using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>One node's answer to an <see cref="AccountViewsQuery"/>.</summary>
/// <param name="Views">The views of its interested accounts.</param>
public sealed record AccountViewList(IReadOnlyList<AccountView> Views);
