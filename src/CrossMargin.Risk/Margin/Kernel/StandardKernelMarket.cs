using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;

namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// What <see cref="StandardCrossKernel"/> needs of one <see cref="MarketSnapshot"/>, worked out once per snapshot
/// rather than once per account: per instrument (by the kernel's dense index) its kind, contract size, mark, quote and
/// settlement prices and risk-limit brackets, or an option's per-contract rates; per asset its index price and
/// collateral rule. An instrument or asset the snapshot does not have is marked missing, and an account that needs it
/// is left to the calculator (which reports the problem). Immutable once built.
/// </summary>
public sealed class StandardKernelMarket
{
    internal const byte Missing = 0;
    internal const byte LinearFuture = 1;
    internal const byte InverseFuture = 2;
    internal const byte Option = 3;

    internal StandardKernelMarket(MarketSnapshot market, string model, int instruments, int assets)
    {
        Market = market;
        Model = model;
        Kind = new byte[instruments];
        Size = new decimal[instruments];
        Mark = new decimal[instruments];
        Quote = new decimal[instruments];
        Settlement = new decimal[instruments];
        Brackets = new RiskLimitBracket[instruments][];
        ValuePerContract = new decimal[instruments];
        ShortInitial = new decimal[instruments];
        ShortMaintenance = new decimal[instruments];
        Underlying = new string[instruments];
        SettlementAsset = new string[instruments];
        QuoteAsset = new string[instruments];
        HasPrice = new bool[assets];
        Price = new decimal[assets];
        Rule = new CollateralRule?[assets];
        Tiers = new HaircutTier[assets][];
        AssetName = new string[assets];
        Fast = new FastInstrument[instruments];
        FastAssets = new FastAsset[assets];
    }

    /// <summary>The snapshot these tables were built from.</summary>
    public MarketSnapshot Market { get; }

    /// <summary>The cross model's name, as <see cref="MarginFigures.Model"/> reports it.</summary>
    public string Model { get; }

    /// <summary>How many instruments the tables cover (indexes at or above are missing).</summary>
    public int InstrumentCount => Kind.Length;

    internal byte[] Kind { get; }

    internal decimal[] Size { get; }

    internal decimal[] Mark { get; }

    internal decimal[] Quote { get; }

    internal decimal[] Settlement { get; }

    internal RiskLimitBracket[][] Brackets { get; }

    internal decimal[] ValuePerContract { get; }

    internal decimal[] ShortInitial { get; }

    internal decimal[] ShortMaintenance { get; }

    internal string[] Underlying { get; }

    internal string[] SettlementAsset { get; }

    internal string[] QuoteAsset { get; }

    internal bool[] HasPrice { get; }

    internal decimal[] Price { get; }

    internal CollateralRule?[] Rule { get; }

    internal HaircutTier[][] Tiers { get; }

    internal string[] AssetName { get; }

    /// <summary>The instruments in doubles, for <see cref="DoubleFigures"/> (filled with <see cref="Kind"/>).</summary>
    internal FastInstrument[] Fast { get; }

    /// <summary>The assets in doubles, for <see cref="DoubleFigures"/>.</summary>
    internal FastAsset[] FastAssets { get; }

    /// <summary>
    /// Which instruments and assets moved, given the names of the underlyings and assets that moved: an instrument moved
    /// when its underlying, its settlement asset or its quote asset did (an inverse future's notional, so its
    /// requirements, is in its quote asset, which is neither of the others), and every instrument the snapshot does not have.
    /// </summary>
    public MovedSet Moved(IReadOnlySet<string> moved)
    {
        ArgumentNullException.ThrowIfNull(moved);
        var instruments = new bool[Kind.Length];
        for (var i = 0; i < instruments.Length; i++)
        {
            // An instrument this snapshot lacks counts as moved: its holders must hear of it (and fail loudly).
            instruments[i] = Underlying[i] is not { } underlying || moved.Contains(underlying) || moved.Contains(SettlementAsset[i]) || moved.Contains(QuoteAsset[i]);
        }

        var assets = new bool[AssetName.Length];
        for (var a = 0; a < assets.Length; a++)
        {
            assets[a] = AssetName[a] is { } name && moved.Contains(name);
        }

        return new MovedSet(instruments, assets);
    }
}
