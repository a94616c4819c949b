using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>One liquidation's state.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>One liquidation's state: rebuilt from its events, plus what is in flight (not persisted, re-derived on recovery).</summary>
    private sealed class Liquidation(LiquidationStarted started)
    {
        public string Id { get; } = started.LiquidationId;

        public string AccountId { get; } = started.AccountId;

        /// <summary>The sequence of its cancel-all, its first message to the account.</summary>
        public long CancelSequence { get; } = started.CancelSequence;

        public List<ILiquidationEvent> Events { get; } = [started];

        public Dictionary<string, IssuedLiquidationOrder> Outstanding { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Orders the order timeout counted as unfilled and the venue has not reported yet, kept after the liquidation ends:
        /// a report that still comes charges the fee on its fill.
        /// </summary>
        public Dictionary<string, IssuedLiquidationOrder> Expired { get; } = new(StringComparer.Ordinal);

        public Phase Phase { get; set; } = Phase.Idle;

        public int Steps { get; set; }

        public LiquidationStepPlanned? LastPlan { get; set; }

        public bool StepFilled { get; set; }

        public bool LastStepFilledNothing { get; set; }

        /// <summary>A step that closed the last positions within their bankruptcy bound filled nothing: take them over.</summary>
        public bool TakeOverDue { get; set; }

        /// <summary>Steps in a row (since the last fill, take-over or stall) the book filled nothing of.</summary>
        public int UnfilledSteps { get; set; }

        /// <summary>A take-over found no counterparty: the next steps go to the book at the band, unbounded, until the back-off.</summary>
        public bool Unbounded { get; set; }

        /// <summary>What the fund may absorb for the evaluation in progress, once asked; null until then.</summary>
        public decimal? FundAllowanceUsd { get; set; }

        /// <summary>The view being planned while the fund is asked.</summary>
        public AccountView? PendingView { get; set; }

        public decimal PendingCoverUsd { get; set; }

        /// <summary>
        /// The fund shares of the last step's bounded orders: set aside from when it is planned until the fund has paid
        /// what its fills left (or a take-over or the next step settles it), so other liquidations do not count on it.
        /// </summary>
        public decimal ReservedFundUsd { get; set; }

        public int Covers { get; set; }

        public string? PendingCover { get; set; }

        public LiquidationCoverReceived? LastCover { get; set; }

        public bool BackstopTried { get; set; }

        /// <summary>The last view held a position in an expired instrument the venue has not settled yet (planned at its index).</summary>
        public bool AwaitsExpirySettlement { get; set; }

        public int AdlRounds { get; set; }

        /// <summary>Backstops in a row that achieved nothing (no fund payment, no auto-deleverage), and when the last one was.</summary>
        public int Stalls { get; set; }

        public DateTimeOffset LastStall { get; set; }

        public (Position Position, decimal Price)? AdlTarget { get; set; }

        /// <summary>Collections of this round's views that heard from no other account, in a row (see <see cref="MaxEmptyAdlCollections"/>).</summary>
        public int EmptyAdlCollections { get; set; }

        /// <summary>
        /// The round under way passes on a deficit the fund left uncovered (not a take-over of a book that will not fill):
        /// dropped if a fresh view shows the deficit gone.
        /// </summary>
        public bool AdlForDeficit { get; set; }

        /// <summary>The counterparties' views of the round being priced, by account: collected, then replaced by those asked for.</summary>
        public Dictionary<string, AccountView> AdlViews { get; } = new(StringComparer.Ordinal);

        /// <summary>The counterparties whose view the coordinator asked for itself in this round.</summary>
        public HashSet<string> AdlConfirmed { get; } = new(StringComparer.Ordinal);

        /// <summary>The counterparties whose view is asked for and not in yet, with the id of the request awaited.</summary>
        public Dictionary<string, string> AdlAwaiting { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Why the fund does not take this round's position over, once it is known not to: the round then reaches the
        /// opposite positions not in profit too (<see cref="AdlReach.All"/>); null before.
        /// </summary>
        public string? FundDeclined { get; set; }

        public int PositionCount { get; set; } = 1;

        /// <summary>The account's margin mode in its last view planned from; null before one (after a restart, until the next).</summary>
        public MarginMode? Mode { get; set; }

        /// <summary>The account's balances in the last view planned or measured from (none since a restart until one is): a cover is paid by them.</summary>
        public IReadOnlyList<CollateralBalance>? Balances { get; set; }

        /// <summary>Why the liquidation ends, while it waits for its fees and covers to be answered; null before.</summary>
        public string? Ending { get; set; }

        /// <summary>An unwind of the fund's account has moved its collateral into the fund (once per unwind).</summary>
        public bool Swept { get; set; }

        /// <summary>
        /// The message ids of the auto-deleverage sides refused for good: a counterparty's (neither side of its fill is sent
        /// again) and a bankrupt side refused after its counterparty applied (its void is sent in its place).
        /// </summary>
        public HashSet<string> RefusedAdl { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// The instruments this liquidation no longer auto-deleverages, each with why: the account refused its side of a
        /// fill there for a reason other than a changed position, which another round would meet again (each moving and
        /// reversing another counterparty). Read from the journaled refusals; an operator's resume of the instrument releases it,
        /// everywhere or for this liquidation alone, as does (in a journal from before session 29) a later round in it.
        /// </summary>
        public Dictionary<string, string> AdlHeld { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// The highest sequence the coordinator had sent the account from <see cref="LiquidationSource"/> when it last
        /// asked for its view: a view that reflects less (refused messages aside) answers an earlier request.
        /// </summary>
        public long ViewAskedAt { get; set; }

        /// <summary>The id of the last view request sent the account, until answered: the only answer taken (an earlier one is stale).</summary>
        public string? ViewRequestId { get; set; }

        /// <summary>The cancel-all, fee and cover messages answered (journaled), by receiver and id: not sent again after a restart.</summary>
        public HashSet<(bool ToFund, string Id)> Answered { get; } = [];

        /// <summary>The newest valuation time of the account's figures seen while this liquidation ran.</summary>
        public DateTimeOffset? MarketTime { get; private set; }

        public void Saw(DateTimeOffset valuationTime)
        {
            if (MarketTime is not { } seen || valuationTime > seen)
            {
                MarketTime = valuationTime;
            }
        }

        /// <summary>Forgets the views of the auto-deleverage round that ended.</summary>
        public void EndRound()
        {
            AdlViews.Clear();
            AdlConfirmed.Clear();
            AdlAwaiting.Clear();
            FundDeclined = null;
        }

        public void StepEnded()
        {
            LastStepFilledNothing = !StepFilled;
            UnfilledSteps = StepFilled ? 0 : UnfilledSteps + 1;
            TakeOverDue = !StepFilled && LastPlan is { TakeOverIfUnfilled: true };
        }

        public IssuedLiquidationOrder Order(string orderId) =>
            Events.OfType<LiquidationStepPlanned>().SelectMany(s => s.Orders).First(o => o.OrderId == orderId);

        public LiquidationSummary Summary() => new(Id, AccountId, Status, started.Time, Events.Count, Events[^1]);

        public LiquidationHistory History() => new(Id, AccountId, Status, Events.ToArray());

        private LiquidationStatus Status => Phase == Phase.Completed ? LiquidationStatus.Completed : LiquidationStatus.Active;
    }
}
