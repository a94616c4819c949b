using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

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

    /// <summary>
    /// The option's Black-76 price at <paramref name="volatility"/> on <paramref name="forward"/> at <paramref name="now"/>,
    /// in its price unit (coin when inverse: the USD price over the forward), to the nearest tick (half away from zero)
    /// and at least one tick: a mark made from the model, as a listing's opening mark or a held mark re-priced after an
    /// index move (a mark is positive, and a venue floors a cheaper option at one tick).
    /// </summary>
    public decimal ModelMark(double forward, DateTimeOffset now, double volatility, double rate)
    {
        var usd = Black76.Price(Kind, forward, (double)Strike, YearFraction.Act365(now, _expiry), volatility, rate);
        var quoted = Settlement == SettlementKind.Inverse ? usd / forward : usd;
        return Math.Max(TickSize, Math.Round((decimal)quoted / TickSize, MidpointRounding.AwayFromZero) * TickSize);
    }

    /// <summary>How far the option is out of the money at <paramref name="underlyingPrice"/> (0 when in the money).</summary>
    public decimal OutOfTheMoneyAmount(decimal underlyingPrice) =>
        Kind == OptionKind.Call ? Math.Max(Strike - underlyingPrice, 0m) : Math.Max(underlyingPrice - Strike, 0m);
}
