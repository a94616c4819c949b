namespace CrossMargin.Engine.Liquidations;

/// <summary>Part or all of a bankrupt position was closed against counterparties at its bankruptcy price.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round of this liquidation, from 1.</param>
/// <param name="AccountId">The bankrupt account.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="BankruptcyPrice">The price of every fill.</param>
/// <param name="Fills">The fills, best-ranked counterparty first.</param>
/// <param name="Time">When.</param>
public sealed record AutoDeleverageExecuted(
    string LiquidationId, int Round, string AccountId, string Symbol, decimal BankruptcyPrice, IReadOnlyList<AdlExecution> Fills, DateTimeOffset Time)
    : ILiquidationEvent
{
    /// <summary>The message id of the execution that closes <paramref name="fill"/>'s counterparty side.</summary>
    public string CounterpartyMessageId(AdlExecution fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        return $"{LiquidationId}:adl-{Round}:{fill.AccountId}";
    }

    /// <summary>The message id of the bankrupt account's side of <paramref name="fill"/>.</summary>
    public string BankruptMessageId(AdlExecution fill) => CounterpartyMessageId(fill) + ":bankrupt";
}
