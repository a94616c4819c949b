using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// An account's cross-pool figures at one market and the settlement prices its limits are stated at (the limits are
/// <see cref="AvailableUsd"/> at those prices, so they are not kept). A value: the account keeps its own in a field and a
/// pass's copies live in their messages, so holding figures makes no object per fill that lives until the next one.
/// Written by the account for its own re-margins, or by its partition's <see cref="MarginPass"/> for a version of its
/// slot (<see cref="For"/>), and read by the account.
/// </summary>
internal readonly struct MarginBookFigures(
    int @for, decimal equityUsd, decimal initialMarginUsd, decimal maintenanceMarginUsd, MarginStatus status, DateTimeOffset valuationTime,
    SettlementPrices settlement)
{
    /// <summary>The version of the slot (<see cref="MarginBookSlot.Version"/>) the pass computed these for; 0 when the account computed them itself.</summary>
    public int For => @for;

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
        return new MarginBookFigures(0, figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status, figures.ValuationTime, settlement);
    }

    /// <summary>Whether the limits of these figures carry the same numbers as those of <paramref name="other"/>.</summary>
    public bool SameLimitsAs(in MarginBookFigures? other) =>
        other is { } known && settlement.SameLimits(AvailableUsd, known.Settlement, known.AvailableUsd);

    /// <summary>The summary an account shows and replies with (the margin ratio is divided out only here).</summary>
    public MarginSummary ToSummary() =>
        new(equityUsd, initialMarginUsd, maintenanceMarginUsd, AvailableUsd, status, equityUsd > 0 ? maintenanceMarginUsd / equityUsd : null, valuationTime);

    /// <summary>The limits fact of account <paramref name="accountId"/>.</summary>
    public AccountLimitsChanged ToLimits(string accountId) =>
        new(accountId, AvailableUsd, new AssetAmounts(settlement.Assets, settlement.AmountsOf(AvailableUsd)));
}
