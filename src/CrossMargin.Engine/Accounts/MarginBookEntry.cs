using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// What an account publishes about itself for its shard's re-margin pass (<see cref="MarginPass"/>): its compiled
/// holdings, the kernel of its mode's calculator, and the margin and limits it holds. Immutable: the account replaces
/// it whenever any of these change, so the pass always reads one consistent version.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Kernel">The kernel of the calculator the account is margined with.</param>
/// <param name="Holdings">The account's cross pool, compiled by <paramref name="Kernel"/>.</param>
/// <param name="Margin">The figures the account holds (null when it has none yet).</param>
/// <param name="Limits">The limits it last published (null when none).</param>
internal sealed record MarginBookEntry(
    string AccountId, StandardCrossKernel Kernel, CompiledHoldings Holdings, MarginSummary? Margin, AccountLimitsChanged? Limits);
