using CrossMargin.Actors;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One live account's place in a <see cref="MarginBookPartition"/>: the account writes its entry (<see cref="Write(in MarginBookEntry)"/>,
/// which writes its row, <see cref="MarginBookRow"/>, and the figures it held, here, in place), the partition's pass
/// writes figures in place (<see cref="Write(int, in KernelFigures, DateTimeOffset, SettlementPrices)"/>); each reads what
/// the other wrote. What the account wrote is named by a version (<see cref="Version"/>), never by an object per write.
/// </summary>
/// <param name="account">The account's actor.</param>
/// <param name="partition">The partition the slot joined.</param>
/// <param name="index">The slot's row in the partition's current rows.</param>
internal sealed class MarginBookSlot(IActorRef account, MarginBookPartition partition, int index)
{
    private MarginBookCell? _cell;
    private volatile bool _left;
    private int _version;

    // The figures the account held with version _heldVersion (odd while the partition writes them, under the row's
    // counter, which it turned odd first). Kept here rather than in the row: the pass reads them only for an account
    // that wrote since its last move, and the row stays 64 bytes. Not in the row's own array either, so a pass still
    // reading rows from before a rebuild reads them here too: the version they carry tells it whose they are.
    private int _heldVersion;
    private bool _held;
    private MarginStatus _heldStatus;
    private decimal _heldEquityUsd;
    private decimal _heldInitialMarginUsd;
    private decimal _heldMaintenanceMarginUsd;
    private SettlementPrices? _heldSettlement;

    /// <summary>The account's actor.</summary>
    public IActorRef Account { get; } = account;

    /// <summary>
    /// The version the account wrote last (an entry or none): its row's counter after the write, carried into rebuilt
    /// rows, so that it only grows. 0 before the first write.
    /// </summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>
    /// Writes <paramref name="entry"/> (its row, and its held figures here): the partition takes the holdings' double lines
    /// over (<see cref="CompiledHoldings.InStore"/>). Only the account calls this (or its partition when it leaves).
    /// </summary>
    /// <returns>The version written (<see cref="Version"/>).</returns>
    public int Write(in MarginBookEntry entry) => partition.Write(this, entry);

    /// <summary>Writes that the account has no entry (the kernel cannot margin it: it re-margins itself).</summary>
    /// <returns>The version written.</returns>
    public int Clear() => partition.Write(this, null);

    /// <summary>Writes the entry again with the same holdings and <paramref name="held"/> (the account margined itself).</summary>
    /// <returns>The version written.</returns>
    public int WriteHeld(in MarginBookFigures? held) => partition.WriteHeld(this, held);

    /// <summary>The slot's row in its partition's current rows (changed only under the partition's lock).</summary>
    internal int Index { get; set; } = index;

    /// <summary>
    /// The figures the pass last wrote, copied, with the version they were computed for (<see cref="MarginBookFigures.For"/>);
    /// null before its first write.
    /// </summary>
    public MarginBookFigures? Figures => Volatile.Read(ref _cell)?.ReadFor(0);

    /// <summary>
    /// The pass's cell, for the pass only (it reads its own writes there directly); null before its first write.
    /// </summary>
    public MarginBookCell? Cell => _cell;

    /// <summary>
    /// A copy of the figures the pass last wrote when they are for <paramref name="version"/> (then they are the account's
    /// figures at the newest market the pass has seen), else null without allocating.
    /// </summary>
    public MarginBookFigures? FiguresFor(int version) => version == 0 ? null : Volatile.Read(ref _cell)?.ReadFor(version);

    /// <summary>Writes <paramref name="figures"/> of <paramref name="version"/> in place; only the partition's pass calls this.</summary>
    public void Write(int version, in KernelFigures figures, DateTimeOffset valuationTime, SettlementPrices settlement)
    {
        var cell = _cell;
        if (cell is null)
        {
            cell = new MarginBookCell();
            cell.Write(version, figures, valuationTime, settlement);
            Volatile.Write(ref _cell, cell);
            return;
        }

        cell.Write(version, figures, valuationTime, settlement);
    }

    /// <summary>
    /// The figures the account held with <paramref name="version"/> (<paramref name="known"/> false when it held none),
    /// copied as one write left them; false when the slot holds another version's (written since, or being written).
    /// Safe from any thread.
    /// </summary>
    public bool TryReadHeld(int version, out bool known, out decimal equityUsd, out decimal initialMarginUsd, out decimal maintenanceMarginUsd,
        out MarginStatus status, out SettlementPrices? settlement)
    {
        var before = Volatile.Read(ref _heldVersion);
        known = _held;
        equityUsd = _heldEquityUsd;
        initialMarginUsd = _heldInitialMarginUsd;
        maintenanceMarginUsd = _heldMaintenanceMarginUsd;
        status = _heldStatus;
        settlement = _heldSettlement;
        // The copies above must be complete before the version is read again (a load-load fence: an order for the
        // compiler only on x64).
        Volatile.ReadBarrier();
        return before == version && Volatile.Read(ref _heldVersion) == version;
    }

    /// <summary>
    /// Writes <paramref name="held"/> as the figures of <paramref name="version"/>; only the partition, under its lock,
    /// between the row counter's odd write (<paramref name="version"/> - 1) and its even one, calls this.
    /// </summary>
    internal void WriteHeld(int version, in MarginBookFigures? held)
    {
        _heldVersion = version - 1;
        // None of the writes below may become visible before the version turns odd (a store-store barrier: no
        // instruction on x64).
        Volatile.WriteBarrier();
        _held = held.HasValue;
        if (held is { } figures)
        {
            _heldStatus = figures.Status;
            _heldEquityUsd = figures.EquityUsd;
            _heldInitialMarginUsd = figures.InitialMarginUsd;
            _heldMaintenanceMarginUsd = figures.MaintenanceMarginUsd;
            // Written only when it changes: a store of the same reference into an old slot still marks its card.
            if (!ReferenceEquals(_heldSettlement, figures.Settlement))
            {
                _heldSettlement = figures.Settlement;
            }
        }

        Volatile.Write(ref _heldVersion, version);
    }

    /// <summary>Sets <see cref="Version"/>; only the partition, under its lock, once the row holds it.</summary>
    internal void Wrote(int version) => Volatile.Write(ref _version, version);

    /// <summary>True once the account stopped: the slot is dropped when its partition compacts.</summary>
    public bool HasLeft
    {
        get => _left;
        set => _left = value;
    }
}
