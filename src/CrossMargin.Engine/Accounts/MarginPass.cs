using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The re-margin pass of one <see cref="MarginBookPartition"/>: on each <see cref="MarketChanged"/>, one loop over the
/// partition's accounts computes, with <see cref="StandardCrossKernel"/>, the figures of every account holding what
/// moved. Figures that differ from what the account holds are written in place into its slot's cell
/// (<see cref="MarginBookSlot.Write(int, in KernelFigures, DateTimeOffset, SettlementPrices)"/>, no allocation per account), where the account reads a copy when asked; limits that differ are published for all such accounts together as
/// <see cref="AccountLimitsBatch"/>es; only an account whose status changed, or that is in liquidation or bankrupt (which
/// reports its breach on every re-margin), is told (<see cref="Remargined"/>). An account the kernel cannot margin at this
/// market is sent the <see cref="MarketChanged"/> itself, to re-margin (and report why) on its own. The loop reads the
/// partition's rows and store in order (<see cref="MarginBookRows"/>) and hints each block's cells and ids a block ahead
/// (<see cref="CacheHints"/>).
/// </summary>
internal sealed class MarginPass : ReceiveActor
{
    // Per market change and kernel: the snapshot's tables and what moved, worked out once for all partitions.
    private static readonly ConditionalWeakTable<MarketChanged, ConcurrentDictionary<StandardCrossKernel, (StandardKernelMarket Market, MovedSet Moved)>> Moves = [];

    // A figures cell's fields span two cache lines (a 16-byte header, then ~100 bytes).
    private const int CellBytes = 128;

    // Rows per block of hints (PrefetchBlock): a block's cells and ids are hinted a block ahead, well within the TLB.
    private const int HintBlock = 32;

    private readonly MarginBookPartition _partition;
    // The batch being filled, reused across passes: only the published batch's own arrays are new.
    // One struct per row rather than two arrays of references: storing a reference into a struct array needs no
    // element type check (an array of a reference type checks every store).
    private readonly BatchRow[] _rows = new BatchRow[AccountLimitsBatch.MaxCount];
    private readonly decimal[] _available = new decimal[AccountLimitsBatch.MaxCount];
    // The batch rows whose version changed since they were read (the publication's check).
    private readonly int[] _changed = new int[AccountLimitsBatch.MaxCount];
    // The rows of the pass under way (the batch rows' indexes are into these).
    private MarginBookRow[] _items = [];
    private SettlementPrices? _settlement;
    private int _count;

    public MarginPass(MarginBookPartition partition)
    {
        _partition = partition;
        Receive<MarketChanged>(Run);
    }

    public static Props Props(MarginBookPartition partition) => Actors.Props.Create(() => new MarginPass(partition));

    private void Run(MarketChanged changed)
    {
        var rows = _partition.Rows;
        var settlement = SettlementPrices.For(changed.Market);
        // A move of no settlement price keeps the previous instance, which the slots' cells then already point at.
        if (settlement.SameBits(_settlement))
        {
            settlement = _settlement!;
        }
        else
        {
            _settlement = settlement;
        }

        var moves = Moves.GetValue(changed, static _ => new());
        StandardCrossKernel? kernel = null;
        StandardKernelMarket? market = null;
        MovedSet? moved = null;
        var items = _items = rows.Items;
        var count = rows.Count;
        var store = rows.Store;
        PrefetchBlock(items, 0, count);
        for (var i = 0; i < count; i++)
        {
            if (i % HintBlock == 0)
            {
                PrefetchBlock(items, i + HintBlock, count);
            }

            // Again whenever the account wrote the row, or its region in place, while the figures were computed from it.
            while (true)
            {
                if (rows.Read(i, out var rowKernel, out var accountId, out var region, out var sequence) is not { } holdings)
                {
                    break;
                }

                if (!ReferenceEquals(rowKernel, kernel))
                {
                    kernel = rowKernel!;
                    (market, moved) = moves.GetOrAdd(kernel, static (k, c) =>
                    {
                        var tables = k.At(c.Market);
                        return (tables, tables.Moved(c.Underlyings));
                    }, changed);
                }

                var outcome = Evaluate(store, region, holdings, market!, moved!, out var figures);
                // Whatever was decided from a stored region (even that the move does not concern it) holds only if the
                // region is still the version read with the holdings: an account may have written its next ones over it.
                // The holdings themselves are immutable and need no check.
                if (region.IsStored && !rows.IsUnchanged(i, sequence))
                {
                    continue;
                }

                if (outcome == Outcome.Declined)
                {
                    items[i].Slot!.Account.Tell(changed, ActorRefs.NoSender);
                }
                else if (outcome == Outcome.Computed && !Offer(rows, ref items[i], i, sequence, accountId!, figures, changed, settlement))
                {
                    // The account wrote the row since it was read: what it held with the version read is gone.
                    continue;
                }

                break;
            }
        }

        Publish(items, settlement);
        _items = [];
    }

    /// <summary>
    /// The figures of <paramref name="holdings"/> at <paramref name="market"/>, when the move concerns it: a stored region
    /// is read from the partition's store; the holdings themselves only for their open orders or when the doubles cannot
    /// decide (or when the store could not take them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome Evaluate(HoldingsStore store, in HoldingsRegion region, CompiledHoldings holdings, StandardKernelMarket market, MovedSet moved,
        out KernelFigures figures)
    {
        bool computed;
        if (region.IsStored)
        {
            if (!StandardCrossKernel.Concerns(store, region, moved))
            {
                figures = default;
                return Outcome.Unconcerned;
            }

            computed = StandardCrossKernel.TryComputeInDoubles(store, region, region.HasOrders ? holdings : null, market, out figures)
                || StandardCrossKernel.TryComputeInDecimal(store, region, holdings, market, out figures);
        }
        else
        {
            if (!StandardCrossKernel.Concerns(holdings, moved))
            {
                figures = default;
                return Outcome.Unconcerned;
            }

            computed = StandardCrossKernel.TryCompute(holdings, market, out figures);
        }

        return computed ? Outcome.Computed : Outcome.Declined;
    }

    /// <summary>
    /// Asks the processor, a block of rows at a time, for what the rows point at outside the partition's contiguous
    /// storage: each figures cell (made by the pass, mostly in order) and each account id (read by the batch's
    /// subscribers; a string on its account's own page). In a tight loop the hints' page walks are in flight together
    /// instead of one per account's worth of arithmetic. The rows and the store's lines are read in order and need none.
    /// </summary>
    private static void PrefetchBlock(MarginBookRow[] items, int from, int count)
    {
        var to = Math.Min(count, from + HintBlock);
        for (var j = from; j < to; j++)
        {
            // Unsynchronized reads of two references: a hint only, whatever version they belong to.
            ref readonly var row = ref items[j];
            CacheHints.Prefetch(row.Cell, CellBytes);
            CacheHints.Prefetch(row.AccountId);
        }
    }

    /// <summary>
    /// Writes, publishes and tells what changed for version <paramref name="version"/> of row <paramref name="index"/>;
    /// false, having done nothing, when the account wrote the row since it was read (the figures it held with that
    /// version are gone): the caller reads the row again.
    /// </summary>
    private bool Offer(MarginBookRows rows, ref MarginBookRow row, int index, int version, string accountId, KernelFigures figures, MarketChanged changed,
        SettlementPrices settlement)
    {
        var available = figures.EquityUsd - figures.InitialMarginUsd;
        var breached = figures.Status is MarginStatus.Liquidation or MarginStatus.Bankrupt;
        var slot = row.Slot!;
        // What the account holds: what this pass wrote for its version, else what the account wrote with the version.
        // The row's copy of the cell, else the slot's (the row was copied while the pass made the cell).
        var cell = row.Cell;
        if (cell is null && slot.Cell is { } made)
        {
            cell = row.Cell = made;
        }

        bool sameFigures, sameLimits, sameStatus;
        if (cell is not null && cell.For == version)
        {
            sameFigures = cell.EquityUsd == figures.EquityUsd && cell.InitialMarginUsd == figures.InitialMarginUsd
                && cell.MaintenanceMarginUsd == figures.MaintenanceMarginUsd;
            // Same figures at other settlement prices may still state other limits; the same ones change nothing at all.
            sameLimits = settlement.SameLimits(available, cell.Settlement!, cell.EquityUsd - cell.InitialMarginUsd);
            sameStatus = cell.Status == figures.Status;
        }
        else if (slot.TryReadHeld(version, out var known, out var equity, out var initial, out var maintenance, out var status, out var heldAt))
        {
            if (known)
            {
                sameFigures = equity == figures.EquityUsd && initial == figures.InitialMarginUsd && maintenance == figures.MaintenanceMarginUsd;
                sameLimits = settlement.SameLimits(available, heldAt!, equity - initial);
                sameStatus = status == figures.Status;
            }
            else
            {
                (sameFigures, sameLimits, sameStatus) = (false, false, false);
            }
        }
        else if (!rows.IsUnchanged(index, version))
        {
            return false;
        }
        else
        {
            // Rows from before a rebuild, whose slot has written a newer version into the new rows since: these figures
            // are for a version the account no longer has, which it ignores (and whose limits it publishes again,
            // Publish), as it does any other written after it moved on.
            (sameFigures, sameLimits, sameStatus) = (false, false, false);
        }

        if (sameFigures && sameLimits && !breached)
        {
            return true;
        }

        var valuationTime = changed.Market.ValuationTime;
        if (cell is not null)
        {
            cell.Write(version, figures, valuationTime, settlement);
        }
        else
        {
            slot.Write(version, figures, valuationTime, settlement);
            row.Cell = slot.Cell;
        }

        if (!sameStatus || breached)
        {
            // Rare (a status change or a breach): only a message carries its own copy.
            var told = new MarginBookFigures(version, figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status,
                valuationTime, settlement);
            slot.Account.Tell(new Remargined(told), ActorRefs.NoSender);
        }

        if (!sameLimits)
        {
            Add(new BatchRow(slot, version, accountId, index), available, settlement);
        }

        return true;
    }

    private void Add(BatchRow row, decimal available, SettlementPrices settlement)
    {
        (_rows[_count], _available[_count]) = (row, available);
        if (++_count == AccountLimitsBatch.MaxCount)
        {
            Publish(_items, settlement);
        }
    }

    private void Publish(MarginBookRow[] items, SettlementPrices settlement)
    {
        if (_count == 0)
        {
            return;
        }

        var count = _count;
        var ids = new string[count];
        // Through a span: a store into a string[] element is otherwise a covariance check per account.
        var idSpan = ids.AsSpan();
        for (var i = 0; i < idSpan.Length; i++)
        {
            idSpan[i] = _rows[i].AccountId;
        }

        // The amounts in each asset are not worked out here: the batch states them from the USD figure and the prices.
        Context.System.EventStream.Publish(new AccountLimitsBatch(ids, _available.AsSpan(0, count).ToArray(), settlement));

        // An account that wrote a new version meanwhile may have published its own limits before this batch reached the
        // subscribers; it writes its version before publishing, so seeing the old one here means it published after.
        // Its row says so in the partition's contiguous rows, as long as the account still writes into the same row
        // array after they were read (else its slot, on its own page, does).
        var changedRows = 0;
        for (var i = 0; i < count; i++)
        {
            ref readonly var row = ref _rows[i];
            if ((uint)row.Index >= (uint)items.Length || Volatile.Read(ref items[row.Index].Sequence) != row.Version)
            {
                _changed[changedRows++] = i;
            }
        }

        if (ReferenceEquals(_partition.Rows.Items, items))
        {
            for (var c = 0; c < changedRows; c++)
            {
                _rows[_changed[c]].Slot.Account.Tell(PublishLimits.Instance, ActorRefs.NoSender);
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                ref readonly var row = ref _rows[i];
                if (row.Slot.Version != row.Version)
                {
                    row.Slot.Account.Tell(PublishLimits.Instance, ActorRefs.NoSender);
                }
            }
        }

        Array.Clear(_rows, 0, count);
        _count = 0;
    }

    /// <summary>
    /// A row of the batch being filled: the slot, the version its limits were computed for, the account id, and the row
    /// it was read from (where the publication's check reads the version again).
    /// </summary>
    private readonly record struct BatchRow(MarginBookSlot Slot, int Version, string AccountId, int Index);

    /// <summary>What <see cref="Evaluate"/> found for one account.</summary>
    private enum Outcome
    {
        /// <summary>The move does not concern the account.</summary>
        Unconcerned,

        /// <summary>The kernel cannot margin the account at this market: the account re-margins itself.</summary>
        Declined,

        /// <summary>The figures were computed.</summary>
        Computed,
    }
}
