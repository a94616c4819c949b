using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// The outbound account-limits message (exchange <c>{prefix}.account-limits</c>): the newest limits of every account whose
/// limits changed since the node's previous limits message, each account at most once. A venue applies them in order,
/// each replacing that account's previous limits, and so always ends with every account's newest.
/// </summary>
/// <param name="Limits">One entry per account, in the order the accounts' changes were first queued.</param>
public sealed record AccountLimitsChangedBatch(IReadOnlyList<AccountLimitsChanged> Limits);
