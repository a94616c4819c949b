using CrossMargin.Actors;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The live accounts of one partition of a <see cref="MarginBook"/>, kept where the partition's pass reads them in order:
/// one row per slot in a contiguous array (<see cref="MarginBookRow"/>) and every account's double lines and balances in the
/// partition's <see cref="HoldingsStore"/>, published together as one immutable version (<see cref="MarginBookRows"/>).
/// Accounts join, write their entries and leave from their own threads under the partition's lock while the pass reads:
/// a row and its region are written under the row's sequence counter (a region in place when the new holdings have the
/// same lines and balances, else appended), and whatever cannot be done in place (more rows, a full store, half the rows
/// left) makes a new version, never written again; a reader of an old one still reads the rows and regions it had.
/// </summary>
internal sealed class MarginBookPartition
{
    private const int FirstRows = 16;
    private const int FirstLines = 64;
    private const int FirstBalances = 32;

    private readonly Lock _gate = new();
    private MarginBookRows _rows = new([], 0, new HoldingsStore(0, 0));
    private int _left;
    private int _deadLines;
    private int _deadBalances;

    /// <summary>The rows a pass reads (the current version).</summary>
    public MarginBookRows Rows => Volatile.Read(ref _rows);

    /// <summary>Adds <paramref name="account"/>'s slot.</summary>
    public MarginBookSlot Join(IActorRef account)
    {
        lock (_gate)
        {
            var rows = _rows;
            if (rows.Count == rows.Items.Length)
            {
                // Half as much again, not twice: a row is 64 bytes per account, and doubling left up to half of them empty.
                // With a store of their own: regions are written in place under the counters of the new rows only, so a
                // pass still reading the old rows must keep reading a store nobody writes any more.
                rows = Rebuild(rows, 0, 0, dropLeft: false, Math.Max(FirstRows, rows.Items.Length + (rows.Items.Length / 2)));
            }

            var slot = new MarginBookSlot(account, this, rows.Count);
            rows.Items[rows.Count].Slot = slot;
            Volatile.Write(ref _rows, new MarginBookRows(rows.Items, rows.Count + 1, rows.Store));
            return slot;
        }
    }

    /// <summary>Empties <paramref name="slot"/> for good (the account stopped).</summary>
    public void Leave(MarginBookSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        slot.Clear();
        slot.HasLeft = true;
        lock (_gate)
        {
            if (++_left * 2 < _rows.Count || _rows.Count < 64)
            {
                return;
            }

            Rebuild(_rows, 0, 0, dropLeft: true, FirstRows);
            _left = 0;
        }
    }

    /// <summary>
    /// Writes <paramref name="entry"/> into <paramref name="slot"/>'s row, its holdings' double lines into the store
    /// (unless the row has them already: the same holdings with other figures held): over the row's region when they fit
    /// it (<see cref="HoldingsStore.Fits"/>), else appended; and its held figures into the slot. Only the slot's account
    /// calls this.
    /// </summary>
    /// <returns>The version written (the row's counter after the write).</returns>
    internal int Write(MarginBookSlot slot, in MarginBookEntry? entry)
    {
        lock (_gate)
        {
            return WriteLocked(slot, entry);
        }
    }

    /// <summary>
    /// Writes <paramref name="slot"/>'s entry again with the same holdings and <paramref name="held"/>; nothing when it
    /// has none. Only the slot's account calls this.
    /// </summary>
    /// <returns>The version written, or the slot's version when there was nothing to write.</returns>
    internal int WriteHeld(MarginBookSlot slot, in MarginBookFigures? held)
    {
        lock (_gate)
        {
            var rows = _rows;
            if (slot.Index >= rows.Count || !ReferenceEquals(rows.Items[slot.Index].Slot, slot)
                || rows.Items[slot.Index] is not { Holdings: { } holdings, Kernel: { } kernel, AccountId: { } accountId })
            {
                return slot.Version;
            }

            return WriteLocked(slot, new MarginBookEntry(accountId, kernel, holdings, held));
        }
    }

    private int WriteLocked(MarginBookSlot slot, in MarginBookEntry? written)
    {
        var rows = _rows;
        if (slot.Index >= rows.Count || !ReferenceEquals(rows.Items[slot.Index].Slot, slot))
        {
            // A slot that left and was dropped has no row any more (its index may be another slot's now).
            if (written is not null)
            {
                throw new InvalidOperationException("An entry written into a slot that left its partition.");
            }

            return slot.Version;
        }

        ref var row = ref rows.Items[slot.Index];
        var region = default(HoldingsRegion);
        var inPlace = false;
        if (written is { } entry && ReferenceEquals(row.Holdings, entry.Holdings))
        {
            region = row.Region;
        }
        else if (written is { } other && row.Holdings is not null && ReferenceEquals(row.Kernel, other.Kernel)
            && rows.Store.Fits(other.Kernel, other.Holdings, row.Region))
        {
            // Most fills: the same instruments and assets with other amounts. Written over the row's region between the
            // counter's writes below, so a fill appends nothing (no rebuild every few fills, no garbage).
            region = row.Region;
            inPlace = true;
        }
        else
        {
            if (written is { } appended && !rows.Store.TryAppend(appended.Kernel, appended.Holdings, out region) && HoldingsStore.Takes(appended.Holdings))
            {
                var (lines, balances) = HoldingsStore.SizeOf(appended.Holdings);
                rows = Rebuild(rows, lines, balances, dropLeft: false, rows.Items.Length);
                row = ref rows.Items[slot.Index];
                if (!rows.Store.TryAppend(appended.Kernel, appended.Holdings, out region))
                {
                    throw new InvalidOperationException("A rebuilt store had no room for the holdings it was sized for.");
                }
            }

            // The row's region is now dead (a pass may still read it: nothing is written there until a rebuild drops it).
            if (row.Region.IsStored)
            {
                _deadLines += row.Region.LineCount;
                _deadBalances += row.Region.BalanceCount;
            }
        }

        var sequence = row.Sequence;
        var version = sequence + 2;
        // None of the writes below, the region's in place and the held figures' included, may become visible before the
        // counter turns odd: a store-store barrier (no instruction on x64, where stores stay in order), as the figures
        // cell does. A reader that computed from the region meanwhile sees the counter changed and discards what it
        // computed (MarginBookRows.IsUnchanged); one that reads the held figures sees their version changed.
        row.Sequence = sequence + 1;
        Volatile.WriteBarrier();
        if (inPlace)
        {
            var target = written!.Value;
            rows.Store.Rewrite(target.Kernel, target.Holdings, region);
        }

        slot.WriteHeld(version, written?.Held);
        row.Holdings = written?.Holdings;
        row.Kernel = written?.Kernel;
        row.AccountId = written?.AccountId;
        row.Region = region;
        Volatile.Write(ref row.Sequence, version);
        slot.Wrote(version);
        return version;
    }

    /// <summary>
    /// Publishes a new version: a store with room for the live regions and <paramref name="lines"/> and
    /// <paramref name="balances"/> more, and a quarter as much again (appends stay amortized, at most a fifth of the
    /// store is slack, and dead regions are dropped at the next rebuild), the live regions copied
    /// into it, and a new row array of at least <paramref name="capacity"/> rows (without the slots that left when
    /// <paramref name="dropLeft"/>). Under the lock.
    /// </summary>
    private MarginBookRows Rebuild(MarginBookRows rows, int lines, int balances, bool dropLeft, int capacity)
    {
        var old = rows.Store;
        var liveLines = old.LinesUsed - _deadLines + lines;
        var liveBalances = old.BalancesUsed - _deadBalances + balances;
        var store = new HoldingsStore(Math.Max(FirstLines, liveLines + (liveLines / 4)), Math.Max(FirstBalances, liveBalances + (liveBalances / 4)));
        var kept = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (!dropLeft || !rows.Items[i].Slot!.HasLeft)
            {
                kept++;
            }
        }

        var items = new MarginBookRow[Math.Max(capacity, kept)];
        var n = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            ref readonly var row = ref rows.Items[i];
            var slot = row.Slot!;
            if (dropLeft && slot.HasLeft)
            {
                continue;
            }

            var region = default(HoldingsRegion);
            if (row.Region.IsStored && !store.TryCopy(old, row.Region, out region))
            {
                throw new InvalidOperationException("A rebuilt store had no room for the live regions it was sized for.");
            }

            // Not yet published: no counter needed. The slot's cell is the truth (a pass may have set the old row's meanwhile).
            // The counter is carried over: it names the versions the slot wrote, and one named again for other holdings
            // would let figures computed from rows of before pass for the new ones.
            items[n] = new MarginBookRow
            {
                Sequence = row.Sequence, Slot = slot, Holdings = row.Holdings, Kernel = row.Kernel, AccountId = row.AccountId, Region = region,
                Cell = slot.Cell,
            };
            slot.Index = n;
            n++;
        }

        (_deadLines, _deadBalances) = (0, 0);
        var rebuilt = new MarginBookRows(items, n, store);
        Volatile.Write(ref _rows, rebuilt);
        return rebuilt;
    }
}
