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
/// (<see cref="MarginBookSlot.Write"/>, no allocation per account), where the account reads a copy when asked; limits that differ are published for all such accounts together as
/// <see cref="AccountLimitsBatch"/>es; only an account whose status changed, or that is in liquidation or bankrupt (which
/// reports its breach on every re-margin), is told (<see cref="Remargined"/>). An account the kernel cannot margin at this
/// market is sent the <see cref="MarketChanged"/> itself, to re-margin (and report why) on its own. The loop prefetches
/// the next few accounts' objects (<see cref="CacheHints"/>) while it computes the current one.
/// </summary>
internal sealed class MarginPass : ReceiveActor
{
    // Per market change and kernel: the snapshot's tables and what moved, worked out once for all partitions.
    private static readonly ConditionalWeakTable<MarketChanged, ConcurrentDictionary<StandardCrossKernel, (StandardKernelMarket Market, MovedSet Moved)>> Moves = [];

    // A figures cell's fields span two cache lines (a 16-byte header, then ~100 bytes).
    private const int CellBytes = 128;

    // Accounts per block of hints (PrefetchBlocks): three blocks' objects are in flight at a time, well within the TLB.
    private const int HintBlock = 32;

    // How many rows ahead the publication's check hints a slot.
    private const int SlotHintReach = 8;

    private readonly MarginBookPartition _partition;
    // The batch being filled, reused across passes: only the published batch's own arrays are new.
    // One struct per row rather than two arrays of references: storing a reference into a struct array needs no
    // element type check (an array of a reference type checks every store).
    private readonly BatchRow[] _rows = new BatchRow[AccountLimitsBatch.MaxCount];
    private readonly decimal[] _available = new decimal[AccountLimitsBatch.MaxCount];
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
        var slots = _partition.Slots;
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
        var items = slots.Items;
        var count = slots.Count;
        for (var i = 0; i < count; i++)
        {
            if (i % HintBlock == 0)
            {
                PrefetchBlocks(items, i, count);
            }

            Prefetch(items, i, count);
            var slot = items[i];
            if (slot.Entry is not { } entry)
            {
                continue;
            }

            if (!ReferenceEquals(entry.Kernel, kernel))
            {
                kernel = entry.Kernel;
                (market, moved) = moves.GetOrAdd(kernel, static (k, c) =>
                {
                    var tables = k.At(c.Market);
                    return (tables, tables.Moved(c.Underlyings));
                }, changed);
            }

            if (!StandardCrossKernel.Concerns(entry.Holdings, moved!))
            {
                continue;
            }

            if (!StandardCrossKernel.TryCompute(entry.Holdings, market!, out var figures))
            {
                slot.Account.Tell(changed, ActorRefs.NoSender);
                continue;
            }

            Offer(slot, entry, figures, changed, settlement);
        }

        Publish(settlement);
    }

    /// <summary>
    /// Asks the processor, a block of accounts at a time, for the slots two blocks ahead and then the entries and cells
    /// of the next block. Each account's slot, entry, compiled holdings and figures cell were made by its own actor among
    /// its other objects (~1.7 KB per account), so nearly every account's objects lie on a page of their own, and on this
    /// VM a page not in the TLB costs a nested page walk. A hint cannot retire before its address is translated, and
    /// hinted one account at a time (as before) each walk stalled the loop in turn: the hint of the slot four accounts
    /// ahead held a third of the pass's samples. In a tight loop over a block, the hints' walks are in flight together
    /// (the processor walks several at once) instead of one per account's worth of arithmetic.
    /// </summary>
    private static void PrefetchBlocks(MarginBookSlot[] items, int start, int count)
    {
        // The first block also stages its own slots and the next block's, which no earlier block did.
        var slotsFrom = start == 0 ? 0 : start + (2 * HintBlock);
        var slotsTo = Math.Min(count, start + (3 * HintBlock));
        for (var j = slotsFrom; j < slotsTo; j++)
        {
            CacheHints.Prefetch(items[j]);
        }

        // The next block's slots were hinted a block ago; their entries and cells now.
        var entriesFrom = start == 0 ? 0 : start + HintBlock;
        var entriesTo = Math.Min(count, start + (2 * HintBlock));
        for (var j = entriesFrom; j < entriesTo; j++)
        {
            var slot = items[j];
            CacheHints.Prefetch(slot.Entry);
            CacheHints.Prefetch(slot.Cell, CellBytes);
        }
    }

    /// <summary>
    /// Asks the processor for what the loop reads an account or two ahead: the compiled holdings (their entry was
    /// hinted a block earlier, <see cref="PrefetchBlocks"/>), then the holdings' two arrays. Each stage reads only what
    /// the stage before asked for one account earlier, so the hints themselves do not wait.
    /// </summary>
    private static void Prefetch(MarginBookSlot[] items, int i, int count)
    {
        if (i + 2 < count && items[i + 2].Entry is { } entry)
        {
            CacheHints.Prefetch(entry.Holdings);
        }

        if (i + 1 < count && items[i + 1].Entry is { } next)
        {
            next.Holdings.Prefetch();
            // Read by the batch's subscribers (the id's characters; the pass itself copies only the reference).
            CacheHints.Prefetch(next.AccountId);
        }
    }

    private void Offer(MarginBookSlot slot, MarginBookEntry entry, KernelFigures figures, MarketChanged changed, SettlementPrices settlement)
    {
        var available = figures.EquityUsd - figures.InitialMarginUsd;
        var breached = figures.Status is MarginStatus.Liquidation or MarginStatus.Bankrupt;
        // What the account holds: what this pass wrote for its entry, else what the account wrote with the entry.
        var cell = slot.Cell;
        bool sameFigures, sameLimits, sameStatus;
        if (cell is not null && ReferenceEquals(cell.For, entry))
        {
            sameFigures = cell.EquityUsd == figures.EquityUsd && cell.InitialMarginUsd == figures.InitialMarginUsd
                && cell.MaintenanceMarginUsd == figures.MaintenanceMarginUsd;
            // Same figures at other settlement prices may still state other limits; the same ones change nothing at all.
            sameLimits = settlement.SameLimits(available, cell.Settlement!, cell.EquityUsd - cell.InitialMarginUsd);
            sameStatus = cell.Status == figures.Status;
        }
        else if (entry.Held is { } held)
        {
            sameFigures = held.EquityUsd == figures.EquityUsd && held.InitialMarginUsd == figures.InitialMarginUsd
                && held.MaintenanceMarginUsd == figures.MaintenanceMarginUsd;
            sameLimits = settlement.SameLimits(available, held.Settlement, held.AvailableUsd);
            sameStatus = held.Status == figures.Status;
        }
        else
        {
            (sameFigures, sameLimits, sameStatus) = (false, false, false);
        }

        if (sameFigures && sameLimits && !breached)
        {
            return;
        }

        var valuationTime = changed.Market.ValuationTime;
        slot.Write(entry, figures, valuationTime, settlement);
        if (!sameStatus || breached)
        {
            // Rare (a status change or a breach): only a message carries its own copy.
            var told = new MarginBookFigures(entry, figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status,
                valuationTime, settlement);
            slot.Account.Tell(new Remargined(told), ActorRefs.NoSender);
        }

        if (!sameLimits)
        {
            Add(slot, entry, available, settlement);
        }
    }

    private void Add(MarginBookSlot slot, MarginBookEntry entry, decimal available, SettlementPrices settlement)
    {
        (_rows[_count], _available[_count]) = (new BatchRow(slot, entry, entry.AccountId), available);
        if (++_count == AccountLimitsBatch.MaxCount)
        {
            Publish(settlement);
        }
    }

    private void Publish(SettlementPrices settlement)
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

        // An account that wrote a new entry meanwhile may have published its own limits before this batch reached the
        // subscribers; it writes its entry before publishing, so seeing its old entry here means it published after.
        // The slots were last read up to a batch's worth of accounts ago and lie on their accounts' own pages: hinted a
        // few rows ahead, so that their loads overlap instead of each waiting in turn.
        for (var i = 0; i < count; i++)
        {
            if (i + SlotHintReach < count)
            {
                CacheHints.Prefetch(_rows[i + SlotHintReach].Slot);
            }

            ref readonly var row = ref _rows[i];
            if (!ReferenceEquals(row.Slot.Entry, row.Entry))
            {
                row.Slot.Account.Tell(PublishLimits.Instance, ActorRefs.NoSender);
            }
        }

        Array.Clear(_rows, 0, count);
        _count = 0;
    }

    /// <summary>
    /// A row of the batch being filled: the slot, the entry its limits were computed for, and the entry's account id,
    /// taken while the entry is in the cache (read again only when the batch goes out, a batch's worth of accounts later).
    /// </summary>
    private readonly record struct BatchRow(MarginBookSlot Slot, MarginBookEntry Entry, string AccountId);
}
