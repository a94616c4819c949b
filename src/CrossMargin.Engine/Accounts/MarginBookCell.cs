using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The figures a partition's <see cref="MarginPass"/> last wrote for one slot, kept in place: made on the slot's first
/// write and overwritten on every later one, so a move allocates nothing per changed account (at 1,000,000 accounts an
/// object per account per move meant ~100 MB surviving into a GC on every move).
/// </summary>
/// <remarks>
/// One writer, the partition's pass (one actor, so one thread at a time), which also reads its own fields directly
/// (<see cref="For"/>, <see cref="EquityUsd"/>, ...). Any other thread reads through <see cref="ReadFor"/>, which copies
/// under a sequence counter: the writer makes it odd before it writes and even after, and a reader that saw it odd or
/// changed reads again, so it never takes figures half written.
/// </remarks>
internal sealed class MarginBookCell
{
    private int _sequence;
    private int _for;
    private decimal _equityUsd;
    private decimal _initialMarginUsd;
    private decimal _maintenanceMarginUsd;
    private MarginStatus _status;
    private DateTimeOffset _valuationTime;
    private SettlementPrices? _settlement;

    /// <summary>The slot's version the figures were computed for, 0 before the first write (the writer's view: read only on the pass's thread).</summary>
    public int For => _for;

    /// <summary>Equity, USD (the writer's view).</summary>
    public decimal EquityUsd => _equityUsd;

    /// <summary>Initial margin, USD (the writer's view).</summary>
    public decimal InitialMarginUsd => _initialMarginUsd;

    /// <summary>Maintenance margin, USD (the writer's view).</summary>
    public decimal MaintenanceMarginUsd => _maintenanceMarginUsd;

    /// <summary>Where the pool stands (the writer's view).</summary>
    public MarginStatus Status => _status;

    /// <summary>The settlement prices the limits are stated at (the writer's view).</summary>
    public SettlementPrices? Settlement => _settlement;

    /// <summary>Overwrites the figures with <paramref name="figures"/> of the slot's version <paramref name="version"/>; only the pass calls this.</summary>
    public void Write(int version, in KernelFigures figures, DateTimeOffset valuationTime, SettlementPrices settlement)
    {
        var sequence = _sequence;
        // None of the writes below may become visible before the counter turns odd. A store-store barrier is all that
        // takes (no instruction at all on x64, where stores stay in order): a full fence here (a locked exchange)
        // drained the store buffer and held back the pass's loads once per written account.
        _sequence = sequence + 1;
        Volatile.WriteBarrier();
        // The reference is written only when it changes: a store of the same reference into an old cell would still
        // mark its card for the next GC to scan.
        _for = version;
        if (!ReferenceEquals(_settlement, settlement))
        {
            _settlement = settlement;
        }

        _equityUsd = figures.EquityUsd;
        _initialMarginUsd = figures.InitialMarginUsd;
        _maintenanceMarginUsd = figures.MaintenanceMarginUsd;
        _status = figures.Status;
        _valuationTime = valuationTime;
        Volatile.Write(ref _sequence, sequence + 2);
    }

    /// <summary>
    /// A copy of the figures when they were written for the slot's version <paramref name="version"/> (any, when 0), else
    /// null (without allocating). Safe from any thread.
    /// </summary>
    public MarginBookFigures? ReadFor(int version)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                var written = _for;
                var equity = _equityUsd;
                var initial = _initialMarginUsd;
                var maintenance = _maintenanceMarginUsd;
                var status = _status;
                var valuationTime = _valuationTime;
                var settlement = _settlement;
                // The copies above must be complete before the counter is read again.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sequence) == before)
                {
                    return written == 0 || settlement is null || (version != 0 && written != version)
                        ? null
                        : new MarginBookFigures(written, equity, initial, maintenance, status, valuationTime, settlement);
                }
            }

            spin.SpinOnce();
        }
    }
}
