namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Deduplication and ordering of an account's inbound messages: per source the highest sequence applied, plus the last
/// <see cref="Capacity"/> message ids in a bounded first-in-first-out set. Part of the account's state, so it is rebuilt
/// by replay and kept in snapshots: a duplicate is recognised across restarts.
/// </summary>
/// <remarks>
/// <para>The rules, in this order:</para>
/// <list type="number">
/// <item>The id is among the remembered ones: <see cref="MessageVerdict.Duplicate"/> (a retry; acknowledge, change nothing),
/// whatever its source or sequence.</item>
/// <item>The sequence is at or below the highest applied from its source: <see cref="MessageVerdict.OutOfOrder"/>
/// (rejected and reported, change nothing). This also catches a duplicate whose id has left the window: its sequence
/// is old, so it can never be applied twice; it is only reported as out of order instead of acknowledged.</item>
/// <item>The sequence is above highest + 1: accepted, with the skipped range reported as a <see cref="SequenceGap"/>.
/// Sequences start at 1, so a new source whose first message is 5 reports 1 to 4. The message is applied anyway: the
/// missing ones may still arrive, and would then be out of order; refusing would stall the account on one lost message.</item>
/// <item>Otherwise accepted.</item>
/// </list>
/// <para>Only applied events are recorded (<see cref="Record"/>): a rejected command leaves no trace, so a retry of it is
/// decided again.</para>
/// </remarks>
public sealed class MessageLedger
{
    /// <summary>The default number of message ids remembered.</summary>
    /// <remarks>
    /// The window only decides how a redelivery is answered, never whether a message applies twice: one older than the
    /// window has a sequence at or below its source's highest, so it is refused as out of order (rule 2). What it must
    /// cover is a redelivery of the messages in flight when a consumer or node failed, i.e. the last few messages of
    /// each source to this one account. 64 covers that with room to spare; the former 4,096 cost up to ~500 KB per
    /// account that trades (a string, a set entry and a queue slot per id, ~120 bytes), 500 GB for a million accounts
    /// (engine benchmark, README). Ledgers restored from a snapshot keep the capacity they were saved with.
    /// </remarks>
    public const int DefaultCapacity = 64;

    // Compact by design (one ledger per account, a million accounts): the sources and their highest sequences in two
    // arrays sorted by source (an account hears from a handful), and the remembered ids in a ring that grows by doubling
    // up to Capacity, each with its hash so that a lookup compares strings only on a hash match.
    private string[] _sources = [];
    private long[] _highest = [];
    private string[] _ids = [];
    private int[] _hashes = [];
    private int _first;
    private int _count;

    /// <summary>Creates an empty ledger remembering <paramref name="capacity"/> ids.</summary>
    public MessageLedger(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>How many recent message ids are remembered.</summary>
    public int Capacity { get; }

    /// <summary>How many ids are remembered now.</summary>
    public int Count => _count;

    /// <summary>The highest sequence applied from <paramref name="source"/>, or 0 when none was.</summary>
    public long HighestOf(string source)
    {
        var index = Array.BinarySearch(_sources, source, StringComparer.Ordinal);
        return index >= 0 ? _highest[index] : 0;
    }

    /// <summary>True when <paramref name="messageId"/> is among the remembered ids.</summary>
    public bool Contains(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var hash = messageId.GetHashCode(StringComparison.Ordinal);
        for (var i = 0; i < _count; i++)
        {
            var slot = (_first + i) % _ids.Length;
            if (_hashes[slot] == hash && string.Equals(_ids[slot], messageId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Classifies a message without recording it; see the type's remarks.</summary>
    public MessageCheck Check(string messageId, string source, long sequence)
    {
        var highest = HighestOf(source);
        if (Contains(messageId))
        {
            return new MessageCheck(MessageVerdict.Duplicate, null, highest);
        }

        if (sequence <= highest)
        {
            return new MessageCheck(MessageVerdict.OutOfOrder, null, highest);
        }

        var gap = sequence > highest + 1 ? new SequenceGap(source, highest + 1, sequence - 1) : null;
        return new MessageCheck(MessageVerdict.Accepted, gap, highest);
    }

    /// <summary>Records an applied message: raises its source's highest sequence and remembers its id, evicting the oldest beyond capacity.</summary>
    public void Record(string messageId, string source, long sequence)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(source);
        RaiseHighest(source, sequence);
        if (!Contains(messageId))
        {
            Remember(messageId);
        }
    }

    /// <summary>The ledger as a serializable snapshot.</summary>
    public MessageLedgerSnapshot ToSnapshot()
    {
        var sources = new SourceSequence[_sources.Length];
        for (var i = 0; i < sources.Length; i++)
        {
            sources[i] = new SourceSequence(_sources[i], _highest[i]);
        }

        var ids = new string[_count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _ids[(_first + i) % _ids.Length];
        }

        return new MessageLedgerSnapshot(Capacity, sources, ids);
    }

    /// <summary>Rebuilds a ledger from <paramref name="snapshot"/>.</summary>
    public static MessageLedger FromSnapshot(MessageLedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var ledger = new MessageLedger(snapshot.Capacity);
        foreach (var source in snapshot.Sources)
        {
            ledger.SetHighest(source.Source, source.Highest);
        }

        // Oldest first, as saved; beyond capacity the oldest fall out, as they did when recorded.
        foreach (var id in snapshot.RecentIds)
        {
            if (!ledger.Contains(id))
            {
                ledger.Remember(id);
            }
        }

        return ledger;
    }

    private void RaiseHighest(string source, long sequence)
    {
        if (sequence > HighestOf(source))
        {
            SetHighest(source, sequence);
        }
    }

    private void SetHighest(string source, long sequence)
    {
        var index = Array.BinarySearch(_sources, source, StringComparer.Ordinal);
        if (index >= 0)
        {
            _highest[index] = sequence;
            return;
        }

        index = ~index;
        _sources = Inserted(_sources, index, source);
        _highest = Inserted(_highest, index, sequence);
    }

    private void Remember(string messageId)
    {
        if (_count == _ids.Length && _ids.Length < Capacity)
        {
            Grow();
        }

        var hash = messageId.GetHashCode(StringComparison.Ordinal);
        if (_count == _ids.Length)
        {
            // Full at capacity: the newest takes the oldest's slot.
            _ids[_first] = messageId;
            _hashes[_first] = hash;
            _first = (_first + 1) % _ids.Length;
            return;
        }

        var slot = (_first + _count) % _ids.Length;
        _ids[slot] = messageId;
        _hashes[slot] = hash;
        _count++;
    }

    private void Grow()
    {
        var size = Math.Min(Capacity, Math.Max(8, _ids.Length * 2));
        var ids = new string[size];
        var hashes = new int[size];
        for (var i = 0; i < _count; i++)
        {
            var slot = (_first + i) % _ids.Length;
            ids[i] = _ids[slot];
            hashes[i] = _hashes[slot];
        }

        _ids = ids;
        _hashes = hashes;
        _first = 0;
    }

    private static T[] Inserted<T>(T[] items, int index, T item)
    {
        var inserted = new T[items.Length + 1];
        Array.Copy(items, inserted, index);
        inserted[index] = item;
        Array.Copy(items, index, inserted, index + 1, items.Length - index);
        return inserted;
    }
}
