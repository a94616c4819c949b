using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// An account's cross-pool figures at one market and the settlement prices its limits are stated at (the limits are
/// <see cref="AvailableUsd"/> at those prices, so they are not kept). Immutable: written by the account for its own
/// re-margins, or by its partition's <see cref="MarginPass"/> for an entry (<see cref="For"/>), and read by the account.
/// </summary>
internal sealed class MarginBookFigures(
    MarginBookEntry? @for, decimal equityUsd, decimal initialMarginUsd, decimal maintenanceMarginUsd, MarginStatus status, DateTimeOffset valuationTime,
    SettlementPrices settlement)
{
    /// <summary>The entry the pass computed these for; null when the account computed them itself.</summary>
    public MarginBookEntry? For => @for;

    /// <summary>Equity, USD, rounded down to the cent.</summary>
    public decimal EquityUsd => equityUsd;

    /// <summary>Initial margin, open orders included, USD, rounded up to the cent.</summary>
    public decimal InitialMarginUsd => initialMarginUsd;

    /// <summary>Maintenance margin, USD, rounded up to the cent.</summary>
    public decimal MaintenanceMarginUsd => maintenanceMarginUsd;

    /// <summary>Equity less initial margin (negative in a margin call).</summary>
    public decimal AvailableUsd => equityUsd - initialMarginUsd;

    /// <summary>Where the pool stands.</summary>
    public MarginStatus Status => status;

    /// <summary>The valuation time of the market the figures are at.</summary>
    public DateTimeOffset ValuationTime => valuationTime;

    /// <summary>The settlement assets and prices of that market.</summary>
    public SettlementPrices Settlement => settlement;

    /// <summary>The figures of <paramref name="figures"/>, with limits at <paramref name="settlement"/>.</summary>
    public static MarginBookFigures Of(MarginFigures figures, SettlementPrices settlement)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return new MarginBookFigures(null, figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status, figures.ValuationTime, settlement);
    }

    /// <summary>Whether the limits of these figures carry the same numbers as those of <paramref name="other"/>.</summary>
    public bool SameLimitsAs(MarginBookFigures? other) =>
        other is not null && settlement.SameLimits(AvailableUsd, other.Settlement, other.AvailableUsd);

    /// <summary>The summary an account shows and replies with (the margin ratio is divided out only here).</summary>
    public MarginSummary ToSummary() =>
        new(equityUsd, initialMarginUsd, maintenanceMarginUsd, AvailableUsd, status, equityUsd > 0 ? maintenanceMarginUsd / equityUsd : null, valuationTime);

    /// <summary>The limits fact of account <paramref name="accountId"/>.</summary>
    public AccountLimitsChanged ToLimits(string accountId) =>
        new(accountId, AvailableUsd, new AssetAmounts(settlement.Assets, settlement.AmountsOf(AvailableUsd)));
}
