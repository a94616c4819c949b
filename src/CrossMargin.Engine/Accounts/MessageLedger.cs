using System.Buffers;
using System.Globalization;
using System.Text;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Deduplication and ordering of an account's inbound messages: per source the highest sequence applied, plus the last
/// <see cref="Capacity"/> message ids, remembered by a 32-bit fingerprint each, in a bounded first-in-first-out set. Part
/// of the account's state, so it is rebuilt by replay and kept in snapshots: a duplicate is recognised across restarts.
/// </summary>
/// <remarks>
/// <para>The rules, in this order:</para>
/// <list type="number">
/// <item>The sequence is at or below the highest applied from its source and the id's fingerprint is remembered:
/// <see cref="MessageVerdict.Duplicate"/> (a retry; acknowledge, change nothing).</item>
/// <item>The sequence is at or below the highest applied from its source: <see cref="MessageVerdict.OutOfOrder"/>
/// (rejected and reported, change nothing). This also catches a duplicate whose id has left the window: its sequence
/// is old, so it can never be applied twice; the account, once its window is full, asks its journal's newest ids
/// whether it was applied, and acknowledges it as a duplicate if so.</item>
/// <item>The sequence is more than the allowed jump (<see cref="DefaultMaxJump"/> unless configured) beyond the highest
/// applied from its source: <see cref="MessageVerdict.TooFarAhead"/> (rejected and reported, change nothing). Applied,
/// such a message would raise the source's highest so far that every later message from it would be out of order: one
/// mistyped sequence (9223372036854775807) would block the source for that account for good.</item>
/// <item>The sequence is new but the id's fingerprint is remembered: <see cref="MessageVerdict.PossibleDuplicate"/>. Either
/// the source sent an applied message again under a new sequence, or (a chance of <see cref="Count"/> in 2^32) another id
/// shares the fingerprint. The ledger cannot tell which, so the account asks its journal, which holds every applied id.</item>
/// <item>The sequence is above highest + 1: accepted, with the skipped range reported as a <see cref="SequenceGap"/>.
/// Sequences start at 1, so a new source whose first message is 5 reports 1 to 4. The message is applied anyway: the
/// missing ones may still arrive, and would then be out of order; refusing would stall the account on one lost message.</item>
/// <item>Otherwise accepted.</item>
/// </list>
/// <para>Rule 1 needs no confirmation of the id for safety: a message at an old sequence is applied in neither case. Its
/// content is confirmed all the same (below), and a fingerprint shared by chance, the id not found, is then reported out
/// of order.</para>
/// <para>Only applied events are recorded (<see cref="Record"/>): a rejected command leaves no trace, so a retry of it is
/// decided again.</para>
/// <para>Content. The ledger knows ids, not what was sent under them: a message it calls a duplicate (rule 1), or the
/// journal shows applied (rules 2 and 4), is a retry only if it says what the applied one said. The account therefore
/// reads the event recorded under the id from its journal and compares the two field by field
/// (<see cref="MessageContent"/>: decoded fields, decimals by value, times as instants, the envelope aside): the same is a
/// <see cref="MessageVerdict.Duplicate"/>, other content is refused as <see cref="RejectionCode.IdReused"/> and nothing
/// is applied. Decided so because the events already hold every field a command books, in every journal written so far:
/// it costs no byte per account, no field in any event or snapshot, and nothing on the path of a new message (not even a
/// hash), and it has no collisions. Its price is one journal read per duplicate (the window's last
/// <see cref="Capacity"/> ids at most), which holds the account's later messages while it lasts; duplicates are rare
/// (a redelivery after a lost acknowledgement, a consumer or node failure). When the event was deleted after a snapshot
/// (rule 1 only: rules 2 and 4 read the journal anyway) a duplicate is answered as before, unconfirmed: it is applied in
/// neither case. The fingerprint window was not widened to hold a content hash: 4 more bytes per id (256 per full window)
/// of an account's 2 KB budget, for a check the journal answers exactly.</para>
/// </remarks>
public sealed class MessageLedger
{
    /// <summary>The default number of message ids remembered.</summary>
    /// <remarks>
    /// For a redelivery at its original sequence the window only decides how it is answered, never whether it applies
    /// twice: one older than the window has a sequence at or below its source's highest, so it is refused as out of order
    /// (rule 2). What it must cover is a redelivery of the messages in flight when a consumer or node failed, i.e. the last
    /// few messages of each source to this one account, and a source that renumbers a retry soon after. 64 covers that with
    /// room to spare; the former 4,096 ids as strings cost up to ~500 KB per account that trades. As fingerprints, a full
    /// window is 256 bytes (engine benchmark, README). Ledgers restored from a snapshot keep the capacity they were saved with.
    /// </remarks>
    public const int DefaultCapacity = 64;

    /// <summary>The default of how far beyond its source's highest applied sequence a message's may be (rule 3).</summary>
    /// <remarks>
    /// Sequences count per source and account, so a real gap is the messages lost or still in flight to one account:
    /// a handful. A million leaves room for any of those while keeping a source ~9.2e12 messages from the largest
    /// sequence, so no one message (nor any plausible run of them) can leave a source with nothing left to send.
    /// </remarks>
    public const long DefaultMaxJump = 1_000_000;

    // Compact by design (one ledger per account, a million accounts): the sources and their highest sequences in two
    // arrays sorted by source (an account hears from a handful), and the remembered ids in a ring that grows by doubling
    // up to Capacity. An id is remembered as a 32-bit fingerprint, the first four bytes of its SHA-256: 4 bytes where the
    // id as a string took ~60-80 and a 128-bit hash 16 (a full window of 64 then cost ~1 KB of an account's 2 KB budget).
    // A fingerprint alone cannot prove a duplicate (64 ids in 2^32 would match a new id about once in 67 million
    // messages, minutes apart at a busy venue), so a match at a new sequence is confirmed from the journal (rule 4): the
    // fingerprint only decides when the journal is read, never what is applied. Being SHA-256, it also keeps the
    // fingerprints of snapshots written with 128-bit hashes (their first 32 bits).
    [ThreadStatic]
    private static string? t_lastId;

    [ThreadStatic]
    private static uint t_lastFingerprint;

    private string[] _sources = [];
    private long[] _highest = [];
    private uint[] _fingerprints = [];
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

    // Never changed (Record keeps nothing in it), so one instance serves every what-if copy on every thread.
    private static readonly MessageLedger WhatIfLedger = new(0, forgetsIds: true);

    /// <summary>
    /// The ledger of a what-if copy of an account (<see cref="Capacity"/> 0): it records nothing, neither ids nor
    /// sequences, and is shared. A copy is never asked about duplicates or order (the account decides on its own ledger,
    /// and adopts only a copy's holdings), so tracking its sources cost two arrays per decided command and pre-trade check.
    /// </summary>
    internal static MessageLedger ForWhatIf() => WhatIfLedger;

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

    /// <summary>
    /// True when <paramref name="messageId"/>'s fingerprint is among the remembered ones: the id was applied recently, or
    /// (a chance of <see cref="Count"/> in 2^32) another id with the same fingerprint was.
    /// </summary>
    public bool Contains(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);

        // An empty window holds nothing: skip the hash (a fresh account, a what-if copy).
        return _count > 0 && Contains(FingerprintOf(messageId));
    }

    /// <summary>
    /// How a remembered id is kept and snapshotted: the first four bytes of the SHA-256 of its UTF-8 bytes, read
    /// big-endian. Stable across processes and versions (snapshots hold it).
    /// </summary>
    public static uint FingerprintOf(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);

        // A command's id is checked twice in the same turn (the actor's in-sequence check, then the decider's), so the
        // last id hashed on this thread is kept: one string and one fingerprint per thread, nothing per account. Matched
        // by reference: the same string instance cannot have changed, so its fingerprint has not either.
        if (ReferenceEquals(messageId, t_lastId))
        {
            return t_lastFingerprint;
        }

        var fingerprint = Fingerprint(Hash(messageId));
        t_lastId = messageId;
        t_lastFingerprint = fingerprint;
        return fingerprint;
    }

    // The first 32 bits of the 128-bit hash: what snapshots written with hashes restore to.
    private static uint Fingerprint(UInt128 hash) => (uint)(hash >> 96);

    // Any order will do (the ring holds each fingerprint once), and the live slots are always the first _count: the ring
    // only wraps once it is full (Remember), so until then _first is 0. One vectorized scan instead of a division per slot,
    // which twice per command (the check, then the record) was ~3% of an execution's CPU (README, engine round 10).
    private bool Contains(uint fingerprint) => _fingerprints.AsSpan(0, _count).Contains(fingerprint);

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
    /// <param name="messageId">The message's id.</param>
    /// <param name="source">Its source.</param>
    /// <param name="sequence">Its source's sequence for the account.</param>
    /// <param name="maxJump">How far beyond its source's highest applied sequence it may be (1 or more).</param>
    public MessageCheck Check(string messageId, string source, long sequence, long maxJump = DefaultMaxJump)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxJump);
        var highest = HighestOf(source);
        var fingerprint = FingerprintOf(messageId);
        var remembered = _count > 0 && Contains(fingerprint);
        if (sequence <= highest)
        {
            return new MessageCheck(remembered ? MessageVerdict.Duplicate : MessageVerdict.OutOfOrder, null, highest) { IdFingerprint = fingerprint };
        }

        // Cannot overflow: highest is 0 or more and sequence above it.
        if (sequence - highest > maxJump)
        {
            return new MessageCheck(MessageVerdict.TooFarAhead, null, highest) { IdFingerprint = fingerprint };
        }

        var gap = sequence > highest + 1 ? new SequenceGap(source, highest + 1, sequence - 1) : null;
        return new MessageCheck(remembered ? MessageVerdict.PossibleDuplicate : MessageVerdict.Accepted, gap, highest) { IdFingerprint = fingerprint };
    }

    /// <summary>Records an applied message: raises its source's highest sequence and remembers its id, evicting the oldest beyond capacity.</summary>
    public void Record(string messageId, string source, long sequence)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(source);
        if (Capacity == 0)
        {
            // Only the what-if ledger has no capacity (the constructor refuses it otherwise): it keeps nothing.
            return;
        }

        RecordFingerprint(FingerprintOf(messageId), source, sequence);
    }

    /// <summary>
    /// <see cref="Record"/> for an id whose fingerprint (<see cref="FingerprintOf"/>) the caller has
    /// already: the one <see cref="Check"/> computed when the command was decided, often on another thread, where the
    /// per-thread cache of the last id cannot serve it. Hashing the id was ~2% of an execution's CPU.
    /// </summary>
    internal void RecordFingerprint(uint idFingerprint, string source, long sequence)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Capacity == 0)
        {
            return;
        }

        RaiseHighest(source, sequence);
        if (!Contains(idFingerprint))
        {
            Remember(idFingerprint);
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

        var fingerprints = new uint[_count];
        for (var i = 0; i < fingerprints.Length; i++)
        {
            fingerprints[i] = _fingerprints[(_first + i) % _fingerprints.Length];
        }

        return new MessageLedgerSnapshot(Capacity, sources, [], RecentIdFingerprints: fingerprints);
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

        // Oldest first, as saved (ids as text from snapshots written before hashes, then 128-bit hashes from snapshots
        // written before fingerprints, then fingerprints); beyond capacity the oldest fall out, as they did when recorded.
        var fingerprints = snapshot.RecentIds.Select(FingerprintOf)
            .Concat((snapshot.RecentIdHashes ?? []).Select(h => Fingerprint(UInt128.Parse(h, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))))
            .Concat(snapshot.RecentIdFingerprints ?? []);
        foreach (var fingerprint in fingerprints)
        {
            if (!ledger.Contains(fingerprint))
            {
                ledger.Remember(fingerprint);
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

    private void Remember(uint fingerprint)
    {
        if (_count == _fingerprints.Length && _fingerprints.Length < Capacity)
        {
            Grow();
        }

        if (_count == _fingerprints.Length)
        {
            // Full at capacity: the newest takes the oldest's slot.
            _fingerprints[_first] = fingerprint;
            _first = (_first + 1) % _fingerprints.Length;
            return;
        }

        _fingerprints[(_first + _count) % _fingerprints.Length] = fingerprint;
        _count++;
    }

    private void Grow()
    {
        var fingerprints = new uint[Math.Min(Capacity, Math.Max(8, _fingerprints.Length * 2))];
        for (var i = 0; i < _count; i++)
        {
            fingerprints[i] = _fingerprints[(_first + i) % _fingerprints.Length];
        }

        _fingerprints = fingerprints;
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
