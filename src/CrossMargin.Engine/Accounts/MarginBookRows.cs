using System.Runtime.CompilerServices;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One published version of a <see cref="MarginBookPartition"/>'s rows: the row array, how many rows are in use, and the
/// store their regions lie in. Replaced as a whole (never edited but for the rows' own protocol, which covers their
/// regions written in place, <see cref="MarginBookRow"/>) when the partition grows, compacts or outgrows its store, so a pass that took one reads
/// rows and regions that stay consistent with each other for as long as it holds it.
/// </summary>
/// <param name="items">The rows (longer than <paramref name="count"/> when there is room).</param>
/// <param name="count">Rows in use.</param>
/// <param name="store">Where the rows' regions lie.</param>
internal sealed class MarginBookRows(MarginBookRow[] items, int count, HoldingsStore store)
{
    /// <summary>The rows: <c>Items[..Count]</c> are in use (some possibly emptied).</summary>
    public MarginBookRow[] Items => items;

    /// <summary>Rows in use.</summary>
    public int Count => count;

    /// <summary>The store of the rows' regions.</summary>
    public HoldingsStore Store => store;

    /// <summary>The slot of row <paramref name="index"/>.</summary>
    public MarginBookSlot SlotAt(int index) => items[index].Slot!;

    /// <summary>
    /// Row <paramref name="index"/>'s holdings (null when the account has none) with their kernel, account id and region,
    /// as one version the account wrote: read between two reads of the row's counter, again while the account is writing.
    /// <paramref name="sequence"/> names that version: the region may be written over in place by a later one, so
    /// whatever is read of the region must be confirmed with <see cref="IsUnchanged"/> before it is acted upon (and the
    /// slot's held figures are read for it, <see cref="MarginBookSlot.TryReadHeld"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledHoldings? Read(int index, out StandardCrossKernel? kernel, out string? accountId, out HoldingsRegion region, out int sequence)
    {
        ref var row = ref items[index];
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref row.Sequence);
            if ((before & 1) == 0)
            {
                var holdings = row.Holdings;
                kernel = row.Kernel;
                accountId = row.AccountId;
                region = row.Region;
                if (IsUnchanged(index, before))
                {
                    sequence = before;
                    return holdings;
                }
            }

            spin.SpinOnce();
        }
    }

    /// <summary>
    /// Whether row <paramref name="index"/> is still the version <see cref="Read"/> named <paramref name="sequence"/>:
    /// then everything read of the row and of its region since that read is of that one version; otherwise the account
    /// has written (or is writing) the row and possibly its region in place, and what was read must be discarded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsUnchanged(int index, int sequence)
    {
        // Everything read before must be complete before the counter is read again: a load-load fence (nothing but an
        // order for the compiler on x64, where loads stay in order).
        Volatile.ReadBarrier();
        return Volatile.Read(ref items[index].Sequence) == sequence;
    }
}
