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

    private readonly SortedDictionary<string, long> _highest = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>Creates an empty ledger remembering <paramref name="capacity"/> ids.</summary>
    public MessageLedger(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>How many recent message ids are remembered.</summary>
    public int Capacity { get; }

    /// <summary>How many ids are remembered now.</summary>
    public int Count => _ids.Count;

    /// <summary>The highest sequence applied from <paramref name="source"/>, or 0 when none was.</summary>
    public long HighestOf(string source) => _highest.GetValueOrDefault(source);

    /// <summary>True when <paramref name="messageId"/> is among the remembered ids.</summary>
    public bool Contains(string messageId) => _ids.Contains(messageId);

    /// <summary>Classifies a message without recording it; see the type's remarks.</summary>
    public MessageCheck Check(string messageId, string source, long sequence)
    {
        var highest = HighestOf(source);
        if (_ids.Contains(messageId))
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
        if (sequence > HighestOf(source))
        {
            _highest[source] = sequence;
        }

        if (!_ids.Add(messageId))
        {
            return;
        }

        _order.Enqueue(messageId);
        while (_order.Count > Capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
    }

    /// <summary>The ledger as a serializable snapshot.</summary>
    public MessageLedgerSnapshot ToSnapshot() =>
        new(Capacity, _highest.Select(kv => new SourceSequence(kv.Key, kv.Value)).ToArray(), _order.ToArray());

    /// <summary>Rebuilds a ledger from <paramref name="snapshot"/>.</summary>
    public static MessageLedger FromSnapshot(MessageLedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var ledger = new MessageLedger(snapshot.Capacity);
        foreach (var source in snapshot.Sources)
        {
            ledger._highest[source.Source] = source.Highest;
        }

        foreach (var id in snapshot.RecentIds)
        {
            if (ledger._ids.Add(id))
            {
                ledger._order.Enqueue(id);
            }
        }

        while (ledger._order.Count > ledger.Capacity)
        {
            ledger._ids.Remove(ledger._order.Dequeue());
        }

        return ledger;
    }
}
