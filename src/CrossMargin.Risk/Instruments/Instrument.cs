namespace CrossMargin.Risk.Instruments;

/// <summary>
/// A listed derivative. Prices are in the quote asset per one unit of the underlying
/// (for inverse options: in the coin per one coin of underlying).
/// </summary>
/// <remarks>
/// <see cref="ContractSize"/> is in units of the underlying per contract for linear contracts and for all options
/// (0.001 BTC, 1 BTC), and in units of the quote asset per contract for inverse futures and perpetuals (100 USD),
/// as venues list them.
/// </remarks>
public abstract record Instrument
{
    /// <summary>
    /// The lot of an instrument whose venue lot is not given: 1e-8 contract, the unit the ledger keeps balances in.
    /// </summary>
    /// <remarks>
    /// Finer than any venue's lot (Binance's and Deribit's are 0.001 BTC, 0.1 or 1 contract), so no real fill of an
    /// instrument configured before lots existed is refused, while a corrupt 1e-28 is. A venue's own lot is configured
    /// as <c>lotSize</c>.
    /// </remarks>
    public const decimal DefaultLotSize = 0.00000001m;

    private readonly decimal _lotSize = DefaultLotSize;

    /// <summary>Creates an instrument after checking its terms.</summary>
    protected Instrument(string symbol, string underlying, string quoteAsset, string settlementAsset,
        SettlementKind settlement, decimal contractSize, decimal tickSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentException.ThrowIfNullOrWhiteSpace(underlying);
        ArgumentException.ThrowIfNullOrWhiteSpace(quoteAsset);
        ArgumentException.ThrowIfNullOrWhiteSpace(settlementAsset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contractSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickSize);
        if (settlement == SettlementKind.Linear && settlementAsset != quoteAsset)
        {
            throw new ArgumentException($"{symbol}: a linear contract settles in its quote asset {quoteAsset}, not {settlementAsset}.", nameof(settlementAsset));
        }

        if (settlement == SettlementKind.Inverse && settlementAsset != underlying)
        {
            throw new ArgumentException($"{symbol}: an inverse contract settles in its underlying {underlying}, not {settlementAsset}.", nameof(settlementAsset));
        }

        Symbol = symbol;
        Underlying = underlying;
        QuoteAsset = quoteAsset;
        SettlementAsset = settlementAsset;
        Settlement = settlement;
        ContractSize = contractSize;
        TickSize = tickSize;
    }

    /// <summary>The venue's symbol, unique among instruments (BTC-PERP, BTC-27DEC26-60000-C).</summary>
    public string Symbol { get; }

    /// <summary>The underlying asset's code (BTC).</summary>
    public string Underlying { get; }

    /// <summary>The asset prices are quoted in (USDT, USD).</summary>
    public string QuoteAsset { get; }

    /// <summary>The asset P&amp;L is paid in: the quote asset when linear, the underlying when inverse.</summary>
    public string SettlementAsset { get; }

    /// <summary>Linear or inverse.</summary>
    public SettlementKind Settlement { get; }

    /// <summary>Contract multiplier; see the type's remarks for its unit.</summary>
    public decimal ContractSize { get; }

    /// <summary>The smallest price increment: every price the venue trades at is a whole multiple of it.</summary>
    public decimal TickSize { get; }

    /// <summary>
    /// The smallest quantity increment, in contracts: every quantity the venue trades is a whole multiple of it
    /// (<see cref="DefaultLotSize"/> unless the venue's is given). Positive.
    /// </summary>
    public decimal LotSize
    {
        get => _lotSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(LotSize));
            _lotSize = value;
        }
    }

    /// <summary>True when <paramref name="price"/> is a whole number of ticks.</summary>
    public bool IsOnTick(decimal price) => price % TickSize == 0m;

    /// <summary>True when <paramref name="quantity"/> is a whole number of lots.</summary>
    public bool IsOnLot(decimal quantity) => quantity % LotSize == 0m;

    /// <summary>The whole lots in <paramref name="quantity"/> (non-negative): what of it the venue can fill, rounded down.</summary>
    public decimal WholeLotsOf(decimal quantity) => Math.Floor(quantity / LotSize) * LotSize;

    /// <summary>When the contract expires, or null for a perpetual.</summary>
    public abstract DateTimeOffset? Expiry { get; }

    /// <summary>True when the instrument expired at or before <paramref name="instant"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset instant) => Expiry is { } e && e <= instant;
}
