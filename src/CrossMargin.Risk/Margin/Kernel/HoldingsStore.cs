namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// Many accounts' double lines and balances in two contiguous, append-only arrays, so that a re-margin pass reading
/// them account after account walks memory in order (~25 accounts per 4 KB page) instead of meeting each account's own
/// arrays on a page of their own. A region is written once, before its owner publishes it (<see cref="HoldingsRegion"/>),
/// and never again, so a reader holding a region reads it without a lock; a full store is replaced, not grown
/// (<see cref="TryCopy"/> into a new one), and a reader of the old one still reads what it had.
/// </summary>
/// <remarks>One writer at a time (the owner's lock); any number of readers of published regions.</remarks>
public sealed class HoldingsStore
{
    private readonly FastLine[] _lines;
    private readonly FastBalance[] _balances;

    /// <summary>A store with room for <paramref name="lines"/> lines and <paramref name="balances"/> balances.</summary>
    public HoldingsStore(int lines, int balances)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        ArgumentOutOfRangeException.ThrowIfNegative(balances);
        _lines = new FastLine[lines];
        _balances = new FastBalance[balances];
    }

    /// <summary>Lines written so far (live or not).</summary>
    public int LinesUsed { get; private set; }

    /// <summary>Balances written so far (live or not).</summary>
    public int BalancesUsed { get; private set; }

    /// <summary>Room for lines.</summary>
    public int LineCapacity => _lines.Length;

    /// <summary>Room for balances.</summary>
    public int BalanceCapacity => _balances.Length;

    internal FastLine[] Lines => _lines;

    internal FastBalance[] Balances => _balances;

    /// <summary>
    /// Whether a store can hold <paramref name="holdings"/> at all (a region counts its lines and balances in 16 bits;
    /// a book beyond that is read from the holdings themselves).
    /// </summary>
    public static bool Takes(CompiledHoldings holdings)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        return holdings.Positions.Length + (holdings.OrderOnlyInstruments?.Length ?? 0) <= ushort.MaxValue
            && holdings.Balances.Length <= ushort.MaxValue;
    }

    /// <summary>The lines and balances <paramref name="holdings"/> need.</summary>
    public static (int Lines, int Balances) SizeOf(CompiledHoldings holdings)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        return (holdings.Positions.Length + (holdings.OrderOnlyInstruments?.Length ?? 0), holdings.Balances.Length);
    }

    /// <summary>
    /// Appends <paramref name="holdings"/>' double lines and balances and takes them over (the holdings drop their own,
    /// <see cref="CompiledHoldings.InStore"/>); holdings a store took over already are compiled again by
    /// <paramref name="kernel"/>, which compiled them. False, with nothing written, when there is no room or the store
    /// cannot take them (<see cref="Takes"/>).
    /// </summary>
    public bool TryAppend(StandardCrossKernel kernel, CompiledHoldings holdings, out HoldingsRegion region)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(holdings);
        region = default;
        var (lineCount, balanceCount) = SizeOf(holdings);
        if (!Takes(holdings) || LinesUsed + lineCount > _lines.Length || BalancesUsed + balanceCount > _balances.Length)
        {
            return false;
        }

        var (lines, balances) = holdings.OwnFast ?? kernel.FastOf(holdings);
        lines.CopyTo(_lines.AsSpan(LinesUsed));
        balances.CopyTo(_balances.AsSpan(BalancesUsed));
        region = new HoldingsRegion(LinesUsed, BalancesUsed, (ushort)lineCount, (ushort)holdings.PositionCount, (ushort)balanceCount, holdings.FastOrders is not null);
        LinesUsed += lineCount;
        BalancesUsed += balanceCount;
        holdings.HandOver();
        return true;
    }

    /// <summary>Appends a copy of <paramref name="region"/> of <paramref name="source"/>; false, with nothing written, without room.</summary>
    public bool TryCopy(HoldingsStore source, in HoldingsRegion region, out HoldingsRegion copied)
    {
        ArgumentNullException.ThrowIfNull(source);
        copied = default;
        if (!region.IsStored || LinesUsed + region.Lines > _lines.Length || BalancesUsed + region.Balances > _balances.Length)
        {
            return false;
        }

        source.LinesOf(region).CopyTo(_lines.AsSpan(LinesUsed));
        source.BalancesOf(region).CopyTo(_balances.AsSpan(BalancesUsed));
        copied = new HoldingsRegion(LinesUsed, BalancesUsed, region.Lines, region.Positions, region.Balances, region.HasOrders);
        LinesUsed += region.Lines;
        BalancesUsed += region.Balances;
        return true;
    }

    internal ReadOnlySpan<FastLine> LinesOf(in HoldingsRegion region) => new(_lines, region.LineStart, region.Lines);

    internal ReadOnlySpan<FastBalance> BalancesOf(in HoldingsRegion region) => new(_balances, region.BalanceStart, region.Balances);
}
