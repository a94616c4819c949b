namespace CrossMargin.Risk.Instruments;

/// <summary>A dated futures contract that settles at <see cref="Expiry"/>.</summary>
public sealed record Future : Instrument
{
    private readonly DateTimeOffset _expiry;

    /// <summary>Creates a dated future.</summary>
    public Future(string symbol, string underlying, string quoteAsset, string settlementAsset,
        SettlementKind settlement, decimal contractSize, decimal tickSize, DateTimeOffset expiry)
        : base(symbol, underlying, quoteAsset, settlementAsset, settlement, contractSize, tickSize)
    {
        _expiry = expiry;
    }

    /// <inheritdoc />
    public override DateTimeOffset? Expiry => _expiry;
}
