using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The manifests the liquidation coordinator's and the insurance fund's events are stored under, and their registration.</summary>
public static class LiquidationEvents
{
    /// <summary>The schema version every payload is written with today.</summary>
    public const int Version = 1;

    /// <summary>Registers every coordinator and fund event with <paramref name="registry"/>, at <see cref="Version"/>.</summary>
    public static EventTypeRegistry Register(EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var json = LiquidationEventsJsonContext.Default;
        return registry
            .Register("insurance-fund.deposited", Version, json.InsuranceFundDeposited)
            .Register("insurance-fund.fee-collected", Version, json.LiquidationFeeCollected)
            .Register("insurance-fund.deficit-covered", Version, json.LiquidationDeficitCovered)
            .Register("insurance-fund.shortfall-settled", Version, json.LiquidationShortfallSettled)
            .Register("liquidation.started", Version, json.LiquidationStarted)
            .Register("liquidation.step-planned", Version, json.LiquidationStepPlanned)
            .Register("liquidation.order-reported", Version, json.LiquidationOrderReported)
            .Register("liquidation.orders-expired", Version, json.LiquidationOrdersExpired)
            .Register("liquidation.cover-requested", Version, json.LiquidationCoverRequested)
            .Register("liquidation.cover-received", Version, json.LiquidationCoverReceived)
            .Register("liquidation.auto-deleverage-executed", Version, json.AutoDeleverageExecuted)
            .Register("liquidation.auto-deleverage-fill-refused", Version, json.AutoDeleverageFillRefused)
            .Register("liquidation.auto-deleverage-bankrupt-side-refused", Version, json.AutoDeleverageBankruptSideRefused)
            .Register("liquidation.auto-deleverage-reversal-refused", Version, json.AutoDeleverageReversalRefused)
            .Register("liquidation.auto-deleverage-reversal-rebooked", Version, json.AutoDeleverageReversalRebooked)
            .Register("liquidation.auto-deleverage-rebooking-booked", Version, json.AutoDeleverageRebookingBooked)
            .Register("liquidation.stalled", Version, json.LiquidationStalled)
            .Register("liquidation.fund-account-swept", Version, json.FundAccountSwept)
            .Register("liquidation.settlement-answered", Version, json.LiquidationSettlementAnswered)
            .Register("liquidation.completed", Version, json.LiquidationCompleted)
            .Register("liquidation.instrument-halted", Version, json.LiquidationInstrumentHalted)
            .Register("liquidation.instrument-resumed", Version, json.LiquidationInstrumentResumed);
    }
}
