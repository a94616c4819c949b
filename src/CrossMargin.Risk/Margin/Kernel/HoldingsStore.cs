namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// Many accounts' double lines and balances in two contiguous arrays, so that a re-margin pass reading them account
/// after account walks memory in order (~25 accounts per 4 KB page) instead of meeting each account's own arrays on a
/// page of their own. A region is appended (<see cref="TryAppend"/>) and, when later holdings have the very same lines
/// and balances in the same order (only their amounts differ: most fills), written over in place
/// (<see cref="Rewrite"/>); a full store is replaced, not grown (<see cref="TryCopy"/> into a new one), and a reader of
/// the old one still reads what it had.
/// </summary>
/// <remarks>
/// One writer at a time (the owner's lock); any number of readers. A region written in place changes under a reader
/// that holds it: its owner must tell readers so (a sequence counter around the rewrite, as the margin book's rows do)
/// and readers must discard what they computed from it meanwhile. Only amounts, prices and their scales change in
/// place, never an instrument or asset index, so such a reader meets numbers of one version or the other, never an
/// index it did not check.
/// </remarks>
public sealed class HoldingsStore
{
    private readonly FastLine[] _lines;
    private readonly FastBalance[] _balances;
    // Holdings compiled without double lines of their own (StandardCrossKernel.CompileAndCompute) are written here first
    // when they must be compared with a region (Fits), and kept for the holdings last written, so that Fits and then
    // Rewrite convert them once. The owner's lock covers it as it covers every write.
    private FastScratch? _scratch;
    private CompiledHoldings? _scratchHoldings;
    private StandardCrossKernel? _scratchKernel;

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

        if (holdings.OwnFast is { } own)
        {
            own.Lines.CopyTo(_lines.AsSpan(LinesUsed));
            own.Balances.CopyTo(_balances.AsSpan(BalancesUsed));
        }
        else
        {
            // Straight into the region: past what is used, where no reader looks.
            kernel.FastInto(holdings, _lines.AsSpan(LinesUsed, lineCount), _balances.AsSpan(BalancesUsed, balanceCount));
        }
        region = new HoldingsRegion(LinesUsed, BalancesUsed, (ushort)lineCount, (ushort)holdings.PositionCount, (ushort)balanceCount, holdings.FastOrders is not null);
        LinesUsed += lineCount;
        BalancesUsed += balanceCount;
        holdings.HandOver();
        return true;
    }

    /// <summary>
    /// Whether <paramref name="holdings"/> (compiled by <paramref name="kernel"/>, which compiled the region's as well)
    /// can be written over <paramref name="region"/> of this store in place (<see cref="Rewrite"/>): as many lines,
    /// positions and balances, open orders or not alike, and every line's instrument and every balance's asset the
    /// same, in the same order.
    /// </summary>
    public bool Fits(StandardCrossKernel kernel, CompiledHoldings holdings, in HoldingsRegion region)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(holdings);
        if (!Shaped(holdings, region))
        {
            return false;
        }

        FastOf(kernel, holdings, out var lines, out var balances);
        return Matches(lines, balances, region);
    }

    /// <summary>
    /// Writes <paramref name="holdings"/>' double lines and balances over <paramref name="region"/> and takes them over
    /// (<see cref="CompiledHoldings.InStore"/>); they must fit it (<see cref="Fits"/>, checked again). The caller tells
    /// readers of the region that it is being written (see the remarks).
    /// </summary>
    public void Rewrite(StandardCrossKernel kernel, CompiledHoldings holdings, in HoldingsRegion region)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(holdings);
        if (!Shaped(holdings, region))
        {
            throw new ArgumentException("The holdings do not have the region's lines and balances.", nameof(holdings));
        }

        FastOf(kernel, holdings, out var lines, out var balances);
        if (!Matches(lines, balances, region))
        {
            throw new ArgumentException("The holdings do not have the region's lines and balances.", nameof(holdings));
        }

        lines.CopyTo(_lines.AsSpan(region.LineStart, region.Lines));
        balances.CopyTo(_balances.AsSpan(region.BalanceStart, region.Balances));
        holdings.HandOver();
        (_scratchHoldings, _scratchKernel) = (null, null);
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

    // As many lines, positions and balances as the region (of this store), open orders or not alike.
    private bool Shaped(CompiledHoldings holdings, in HoldingsRegion region)
    {
        var (lineCount, balanceCount) = SizeOf(holdings);
        return region.IsStored && region.LineStart + region.Lines <= LinesUsed && region.BalanceStart + region.Balances <= BalancesUsed
            && lineCount == region.Lines && balanceCount == region.Balances && holdings.PositionCount == region.Positions
            && (holdings.FastOrders is not null) == region.HasOrders;
    }

    // The holdings' own double lines and balances, else written into the scratch (once for the holdings last written there).
    private void FastOf(StandardCrossKernel kernel, CompiledHoldings holdings, out ReadOnlySpan<FastLine> lines, out ReadOnlySpan<FastBalance> balances)
    {
        if (holdings.OwnFast is { } own)
        {
            lines = own.Lines;
            balances = own.Balances;
            return;
        }

        var (lineCount, balanceCount) = SizeOf(holdings);
        (_scratch ??= new FastScratch()).Take(lineCount, balanceCount, out var scratchLines, out var scratchBalances);
        if (!ReferenceEquals(_scratchHoldings, holdings) || !ReferenceEquals(_scratchKernel, kernel))
        {
            // Forgotten first: a conversion that throws half way (or a scratch grown meanwhile) must not pass for theirs.
            (_scratchHoldings, _scratchKernel) = (null, null);
            kernel.FastInto(holdings, scratchLines, scratchBalances);
            (_scratchHoldings, _scratchKernel) = (holdings, kernel);
        }

        lines = scratchLines;
        balances = scratchBalances;
    }

    // Every line's instrument and every balance's asset as the region's, in the same order.
    private bool Matches(ReadOnlySpan<FastLine> lines, ReadOnlySpan<FastBalance> balances, in HoldingsRegion region)
    {
        var storedLines = LinesOf(region);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Instrument != storedLines[i].Instrument)
            {
                return false;
            }
        }

        var storedBalances = BalancesOf(region);
        for (var i = 0; i < balances.Length; i++)
        {
            if (balances[i].Asset != storedBalances[i].Asset)
            {
                return false;
            }
        }

        return true;
    }

    internal ReadOnlySpan<FastLine> LinesOf(in HoldingsRegion region) => new(_lines, region.LineStart, region.Lines);

    internal ReadOnlySpan<FastBalance> BalancesOf(in HoldingsRegion region) => new(_balances, region.BalanceStart, region.Balances);
}
