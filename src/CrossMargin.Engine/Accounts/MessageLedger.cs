using System.Buffers;
using System.Globalization;
using System.Text;

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
    // up to Capacity. An id is remembered as its 128-bit hash (16 bytes, where the id as a string took ~60-80): the
    // chance that a new id matches one of the 64 remembered by accident is 64 / 2^128, about 2e-37 per message, so a
    // venue handling a trillion messages would expect its first false duplicate after ~1e24 years; and the hash is
    // SHA-256's first half, so ids cannot be crafted to collide either (that would take ~2^64 hash evaluations, and
    // would only make a message of the venue's own answered as a duplicate).
    private string[] _sources = [];
    private long[] _highest = [];
    private UInt128[] _hashes = [];
    private int _first;
    private int _count;

    /// <summary>Creates an empty ledger remembering <paramref name="capacity"/> ids.</summary>
    public MessageLedger(int capacity = DefaultCapacity)
        : this(capacity, forgetsIds: false)
    {
    }

    private MessageLedger(int capacity, bool forgetsIds)
    {
        if (!forgetsIds)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        }

        Capacity = capacity;
    }

    /// <summary>
    /// A ledger that tracks sequences but remembers no ids (<see cref="Capacity"/> 0): for a what-if copy of an account,
    /// which is never asked about duplicates, so recording into it need not hash the id.
    /// </summary>
    internal static MessageLedger ForWhatIf() => new(0, forgetsIds: true);

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

        // An empty window holds nothing: skip the hash (a fresh account, a what-if copy).
        return _count > 0 && Contains(Hash(messageId));
    }

    /// <summary>
    /// How a remembered id is kept and snapshotted: the first 16 bytes of the SHA-256 of its UTF-8 bytes, as 32 lowercase
    /// hex digits. Stable across processes and versions (snapshots hold it).
    /// </summary>
    public static string HashOf(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        return Hash(messageId).ToString("x32", CultureInfo.InvariantCulture);
    }

    private bool Contains(UInt128 hash)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_hashes[(_first + i) % _hashes.Length] == hash)
            {
                return true;
            }
        }

        return false;
    }

    private static UInt128 Hash(string messageId)
    {
        const int StackLimit = 256;
        var length = Encoding.UTF8.GetMaxByteCount(messageId.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(messageId, buffer);
            return MessageIdHash.Of(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
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
        if (Capacity == 0)
        {
            return;
        }

        var hash = Hash(messageId);
        if (!Contains(hash))
        {
            Remember(hash);
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

        var hashes = new string[_count];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = _hashes[(_first + i) % _hashes.Length].ToString("x32", CultureInfo.InvariantCulture);
        }

        return new MessageLedgerSnapshot(Capacity, sources, [], hashes);
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

        // Oldest first, as saved (ids as text from snapshots written before hashes, then hashes); beyond capacity the
        // oldest fall out, as they did when recorded.
        var hashes = snapshot.RecentIds.Select(Hash)
            .Concat((snapshot.RecentIdHashes ?? []).Select(h => UInt128.Parse(h, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)));
        foreach (var hash in hashes)
        {
            if (!ledger.Contains(hash))
            {
                ledger.Remember(hash);
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
        _sources = Inserted(_sources, index, SourceNames.Default.Share(source));
        _highest = Inserted(_highest, index, sequence);
    }

    private void Remember(UInt128 hash)
    {
        if (_count == _hashes.Length && _hashes.Length < Capacity)
        {
            Grow();
        }

        if (_count == _hashes.Length)
        {
            // Full at capacity: the newest takes the oldest's slot.
            _hashes[_first] = hash;
            _first = (_first + 1) % _hashes.Length;
            return;
        }

        _hashes[(_first + _count) % _hashes.Length] = hash;
        _count++;
    }

    private void Grow()
    {
        var hashes = new UInt128[Math.Min(Capacity, Math.Max(8, _hashes.Length * 2))];
        for (var i = 0; i < _count; i++)
        {
            hashes[i] = _hashes[(_first + i) % _hashes.Length];
        }

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
