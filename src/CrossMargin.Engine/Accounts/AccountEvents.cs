using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Engine.Accounts;

/// <summary>The manifests the account's events and snapshot are stored under, and their registration.</summary>
public static class AccountEvents
{
    /// <summary>The schema version every account payload is written with today.</summary>
    public const int Version = 1;

    /// <summary>Manifest of <see cref="ExecutionApplied"/>.</summary>
    public const string ExecutionAppliedManifest = "account.execution-applied";

    /// <summary>Manifest of <see cref="AllOrdersCancelled"/>.</summary>
    public const string AllOrdersCancelledManifest = "account.all-orders-cancelled";

    /// <summary>Manifest of <see cref="AccountOpened"/>.</summary>
    public const string AccountOpenedManifest = "account.opened";

    /// <summary>Manifest of <see cref="OrderAccepted"/>.</summary>
    public const string OrderAcceptedManifest = "account.order-accepted";

    /// <summary>Manifest of <see cref="OrderCancelled"/>.</summary>
    public const string OrderCancelledManifest = "account.order-cancelled";

    /// <summary>Manifest of <see cref="Deposited"/>.</summary>
    public const string DepositedManifest = "account.deposited";

    /// <summary>Manifest of <see cref="Withdrawn"/>.</summary>
    public const string WithdrawnManifest = "account.withdrawn";

    /// <summary>Manifest of <see cref="FundingSettled"/>.</summary>
    public const string FundingSettledManifest = "account.funding-settled";

    /// <summary>Manifest of <see cref="ExpirySettled"/>.</summary>
    public const string ExpirySettledManifest = "account.expiry-settled";

    /// <summary>Manifest of <see cref="MarginModeChanged"/>.</summary>
    public const string MarginModeChangedManifest = "account.margin-mode-changed";

    /// <summary>Manifest of <see cref="DeficitCovered"/>.</summary>
    public const string DeficitCoveredManifest = "account.deficit-covered";

    /// <summary>Manifest of <see cref="LiquidationFeeCharged"/>.</summary>
    public const string LiquidationFeeChargedManifest = "account.liquidation-fee-charged";

    /// <summary>Manifest of <see cref="SettledExecutionApplied"/>.</summary>
    public const string SettledExecutionAppliedManifest = "account.settled-execution-applied";

    /// <summary>Manifest of <see cref="SequenceVoided"/>.</summary>
    public const string SequenceVoidedManifest = "account.sequence-voided";

    /// <summary>Manifest of <see cref="AccountSnapshot"/>.</summary>
    public const string SnapshotManifest = "account.snapshot";

    /// <summary>Registers every account event and the snapshot with <paramref name="registry"/>, at <see cref="Version"/>.</summary>
    public static EventTypeRegistry Register(EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var json = AccountEventsJsonContext.Default;
        return registry
            .Register(AccountOpenedManifest, Version, json.AccountOpened)
            .Register(ExecutionAppliedManifest, Version, json.ExecutionApplied)
            .Register(OrderAcceptedManifest, Version, json.OrderAccepted)
            .Register(OrderCancelledManifest, Version, json.OrderCancelled)
            .Register(AllOrdersCancelledManifest, Version, json.AllOrdersCancelled)
            .Register(DepositedManifest, Version, json.Deposited)
            .Register(WithdrawnManifest, Version, json.Withdrawn)
            .Register(FundingSettledManifest, Version, json.FundingSettled)
            .Register(ExpirySettledManifest, Version, json.ExpirySettled)
            .Register(MarginModeChangedManifest, Version, json.MarginModeChanged)
            .Register(DeficitCoveredManifest, Version, json.DeficitCovered)
            .Register(LiquidationFeeChargedManifest, Version, json.LiquidationFeeCharged)
            .Register(SequenceVoidedManifest, Version, json.SequenceVoided)
            .Register(SettledExecutionAppliedManifest, Version, json.SettledExecutionApplied)
            .Register(SnapshotManifest, Version, json.AccountSnapshot);
    }
}
