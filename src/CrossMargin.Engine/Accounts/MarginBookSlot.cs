using CrossMargin.Actors;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One live account's place in a <see cref="MarginBookPartition"/>: the account writes <see cref="Entry"/> (which also
/// writes its row, <see cref="MarginBookRow"/>), the partition's pass writes figures in place (<see cref="Write"/>);
/// each reads what the other wrote.
/// </summary>
/// <param name="account">The account's actor.</param>
/// <param name="partition">The partition the slot joined.</param>
/// <param name="index">The slot's row in the partition's current rows.</param>
internal sealed class MarginBookSlot(IActorRef account, MarginBookPartition partition, int index)
{
    private MarginBookEntry? _entry;
    private MarginBookCell? _cell;
    private volatile bool _left;

    /// <summary>The account's actor.</summary>
    public IActorRef Account { get; } = account;

    /// <summary>
    /// The account's newest entry; null while the kernel cannot margin it (the account re-margins itself). Set only by
    /// the account (or its partition when it leaves): setting it writes the slot's row, and the partition takes the
    /// entry's double lines over (<see cref="CompiledHoldings.InStore"/>).
    /// </summary>
    public MarginBookEntry? Entry
    {
        get => Volatile.Read(ref _entry);
        set
        {
            Volatile.Write(ref _entry, value);
            partition.Write(this, value);
        }
    }

    /// <summary>The slot's row in its partition's current rows (changed only under the partition's lock).</summary>
    internal int Index { get; set; } = index;

    /// <summary>
    /// The figures the pass last wrote, copied, with the entry they were computed for (<see cref="MarginBookFigures.For"/>);
    /// null before its first write.
    /// </summary>
    public MarginBookFigures? Figures => Volatile.Read(ref _cell)?.ReadFor(null);

    /// <summary>
    /// The pass's cell, for the pass only (it reads its own writes there directly); null before its first write.
    /// </summary>
    public MarginBookCell? Cell => _cell;

    /// <summary>
    /// A copy of the figures the pass last wrote when they are for <paramref name="entry"/> (then they are the account's
    /// figures at the newest market the pass has seen), else null without allocating.
    /// </summary>
    public MarginBookFigures? FiguresFor(MarginBookEntry entry) => Volatile.Read(ref _cell)?.ReadFor(entry);

    /// <summary>Writes <paramref name="figures"/> of <paramref name="entry"/> in place; only the partition's pass calls this.</summary>
    public void Write(MarginBookEntry entry, in KernelFigures figures, DateTimeOffset valuationTime, SettlementPrices settlement)
    {
        var cell = _cell;
        if (cell is null)
        {
            cell = new MarginBookCell();
            cell.Write(entry, figures, valuationTime, settlement);
            Volatile.Write(ref _cell, cell);
            return;
        }

        cell.Write(entry, figures, valuationTime, settlement);
    }

    /// <summary>True once the account stopped: the slot is dropped when its partition compacts.</summary>
    public bool HasLeft
    {
        get => _left;
        set => _left = value;
    }
}
