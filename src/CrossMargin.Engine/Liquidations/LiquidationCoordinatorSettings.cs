using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Risk.Liquidation;

namespace CrossMargin.Engine.Liquidations;

/// <summary>What the <see cref="LiquidationCoordinator"/> works with.</summary>
/// <param name="Persistence">Journal and writer; its registry must have <see cref="LiquidationEvents.Register"/>.</param>
/// <param name="Accounts">The accounts' shard region (messages go in <c>ShardEnvelope</c>s; ADL queries as <c>ShardBroadcast</c>).</param>
/// <param name="InsuranceFund">The <see cref="InsuranceFundActor"/>.</param>
/// <param name="Market">The node's newest market: what every step is planned and priced at.</param>
/// <param name="InitialModels">The margin calculators when no <see cref="LiveModels"/> are given; a plan uses the one of the account's mode.</param>
/// <param name="Parameters">Stop buffer, step size, fee rate, slippage band, budgets per interval, quantity increments.</param>
/// <param name="BudgetInterval">The interval the per-instrument budgets are per (shared by every liquidation); positive.</param>
/// <param name="OrderTimeout">How long to wait for the venue's reports of a step (and for an account's view); positive.</param>
/// <param name="AdlCollectWindow">How long auto-deleveraging waits for the accounts' views before ranking them; positive.</param>
public sealed record LiquidationCoordinatorSettings(
    PersistenceServices Persistence,
    IActorRef Accounts,
    IActorRef InsuranceFund,
    LatestMarket Market,
    AccountMarginModels InitialModels,
    LiquidationParameters Parameters,
    TimeSpan BudgetInterval,
    TimeSpan OrderTimeout,
    TimeSpan AdlCollectWindow)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first missing or invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Persistence);
        ArgumentNullException.ThrowIfNull(Accounts);
        ArgumentNullException.ThrowIfNull(InsuranceFund);
        ArgumentNullException.ThrowIfNull(Market);
        ArgumentNullException.ThrowIfNull(InitialModels);
        ArgumentNullException.ThrowIfNull(Parameters);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BudgetInterval, TimeSpan.Zero, nameof(BudgetInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OrderTimeout, TimeSpan.Zero, nameof(OrderTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AdlCollectWindow, TimeSpan.Zero, nameof(AdlCollectWindow));
        ArgumentOutOfRangeException.ThrowIfNegative(TakeOverAfterUnfilledSteps, nameof(TakeOverAfterUnfilledSteps));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LateReportHorizon, TimeSpan.Zero, nameof(LateReportHorizon));
        if (SilentAfter is { } silentAfter)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(silentAfter, TimeSpan.Zero, nameof(SilentAfter));
        }
    }

    /// <summary>The node's calculators, swapped when an operator applies a parameter set; null: <see cref="InitialModels"/> for good.</summary>
    public CurrentMarginModels? LiveModels { get; init; }

    /// <summary>
    /// Steps in a row the book fills nothing of, even at the band, after which a solvent account's largest position is
    /// taken over (auto-deleveraged at its bankruptcy price), so a liquidation ends in a book that will not fill; 0, the
    /// default, never. Off by default because a take-over hands a solvent account's remaining equity to the profitable
    /// side and deleverages it, and in a crash the book's prices can outrun a step's limits for a few steps in a row
    /// within a second (the simulator's crash took over 40 solvent accounts with 3): ADL stays the bankrupt's backstop.
    /// </summary>
    public int TakeOverAfterUnfilledSteps { get; init; }

    /// <summary>
    /// The insurance fund's own account in the account region (opened by the coordinator when it starts): when an
    /// auto-deleverage round finds no counterparty, the fund takes the position over into it at the bankruptcy price, if
    /// its value less what other liquidations have set aside bears the take-over's loss at the mark, and the coordinator
    /// then unwinds it through the book. Null: no take-over by the fund (the round stalls).
    /// </summary>
    public string? FundAccountId { get; init; }

    /// <summary>
    /// How long an underlying may go without an accepted index (<see cref="LatestMarket.HeardTimeOf"/> of
    /// <see cref="Market"/>: since the node's start if none was accepted) before its liquidation orders and auto-deleveraging pause as a halt pauses them, until its
    /// next accepted index (<see cref="PriceOptions.SilentAfter"/>). Null, the default: never.
    /// </summary>
    public TimeSpan? SilentAfter { get; init; }

    /// <summary>
    /// How long an order that expired unreported (or was out when its liquidation ended) is remembered for a late report,
    /// which still charges its fill's fee; from then on it is forgotten (a report of it is ignored and logged), so orders
    /// the venue never reports do not stay in memory for ever. A day by default.
    /// </summary>
    public TimeSpan LateReportHorizon { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The calculators in force now.</summary>
    public AccountMarginModels Models => LiveModels?.Current ?? InitialModels;
}
