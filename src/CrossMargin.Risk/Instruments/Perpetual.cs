namespace CrossMargin.Risk.Instruments;

/// <summary>A futures contract without expiry, kept near the index by periodic funding.</summary>
public sealed record Perpetual : Instrument
{
    /// <summary>Creates a perpetual.</summary>
    public Perpetual(string symbol, string underlying, string quoteAsset, string settlementAsset,
        SettlementKind settlement, decimal contractSize, decimal tickSize)
        : base(symbol, underlying, quoteAsset, settlementAsset, settlement, contractSize, tickSize)
    {
    }

    /// <inheritdoc />
    public override DateTimeOffset? Expiry => null;
}
