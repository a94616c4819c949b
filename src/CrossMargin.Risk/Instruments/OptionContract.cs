namespace CrossMargin.Risk.Instruments;

/// <summary>A European option on the underlying's forward for <see cref="Expiry"/>, valued with Black-76.</summary>
public sealed record OptionContract : Instrument
{
    private readonly DateTimeOffset _expiry;

    /// <summary>Creates a European option.</summary>
    public OptionContract(string symbol, string underlying, string quoteAsset, string settlementAsset,
        SettlementKind settlement, decimal contractSize, decimal tickSize, DateTimeOffset expiry,
        OptionKind kind, decimal strike)
        : base(symbol, underlying, quoteAsset, settlementAsset, settlement, contractSize, tickSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(strike);
        _expiry = expiry;
        Kind = kind;
        Strike = strike;
    }

    /// <inheritdoc />
    public override DateTimeOffset? Expiry => _expiry;

    /// <summary>Call or put.</summary>
    public OptionKind Kind { get; }

    /// <summary>Strike in the quote asset per unit of underlying.</summary>
    public decimal Strike { get; }

    /// <summary>How far the option is out of the money at <paramref name="underlyingPrice"/> (0 when in the money).</summary>
    public decimal OutOfTheMoneyAmount(decimal underlyingPrice) =>
        Kind == OptionKind.Call ? Math.Max(Strike - underlyingPrice, 0m) : Math.Max(underlyingPrice - Strike, 0m);
}
