using CrossMargin.Actors;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The live accounts of one partition of a <see cref="MarginBook"/>. Accounts join and leave from their own threads
/// while the partition's pass reads: the slots are an append-only array published with its count as one immutable
/// pair, so a reader sees every slot that had joined when it started (a slot is written before the count that covers
/// it), and a leaving slot is only emptied. Emptied slots are dropped by copying into a fresh array when they are half
/// of it; a reader of the old array still sees the slots it had.
/// </summary>
internal sealed class MarginBookPartition
{
    private readonly Lock _gate = new();
    private SlotList _list = new([], 0);
    private int _left;

    /// <summary>The slots a pass reads: <c>Items[..Count]</c> (some possibly emptied).</summary>
    public SlotList Slots => Volatile.Read(ref _list);

    /// <summary>Adds <paramref name="account"/>'s slot.</summary>
    public MarginBookSlot Join(IActorRef account)
    {
        var slot = new MarginBookSlot(account);
        lock (_gate)
        {
            var list = _list;
            var items = list.Items;
            if (list.Count == items.Length)
            {
                Array.Resize(ref items, Math.Max(16, items.Length * 2));
            }

            items[list.Count] = slot;
            Volatile.Write(ref _list, new SlotList(items, list.Count + 1));
        }

        return slot;
    }

    /// <summary>Empties <paramref name="slot"/> for good (the account stopped).</summary>
    public void Leave(MarginBookSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        slot.Entry = null;
        slot.HasLeft = true;
        lock (_gate)
        {
            if (++_left * 2 < _list.Count || _list.Count < 64)
            {
                return;
            }

            var live = _list.Items.Take(_list.Count).Where(s => !s.HasLeft).ToArray();
            _left = 0;
            Volatile.Write(ref _list, new SlotList(live, live.Length));
        }
    }

    /// <summary>An array of slots and how many of them are in use.</summary>
    /// <param name="Items">The array (longer than <paramref name="Count"/> when it has room).</param>
    /// <param name="Count">Slots in use.</param>
    internal sealed record SlotList(MarginBookSlot[] Items, int Count);
}
