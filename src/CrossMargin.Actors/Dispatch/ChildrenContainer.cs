namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// An actor's children: given names in one dictionary, generated names by their numeric id in another, so a
/// parent of a million anonymous children holds no name strings and hashes longs. Locked because the system's
/// top-level <c>ActorOf</c> may be called from any thread; everything else touches it from the parent's own turn.
/// A stopping parent closes it (<see cref="Close"/>) under the same lock an add takes, so a spawn racing the stop is either
/// added before it (and stopped with its siblings) or refused; never added after the stop took its children.
/// </summary>
internal sealed class ChildrenContainer
{
    /// <summary>What a parent that had no children when it began stopping holds: empty and closed, shared (it never changes).</summary>
    public static readonly ChildrenContainer ClosedEmpty = new() { _closed = true };

    private const string NameAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";

    // Ids above 64^10 (about 10^18 spawns under one parent) would need an eleventh digit; parsing stops at ten.
    private const int MaxIdDigits = 10;
    private readonly Dictionary<string, ActorCell> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ActorCell> _byId = [];
    private long _nextId;
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_byName)
            {
                return _byName.Count + _byId.Count;
            }
        }
    }

    /// <summary>The id of the next generated name.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId) - 1;

    /// <summary>Akka-style generated names: <c>$a</c>, <c>$b</c>, ... from a counter in base 64.</summary>
    public static string GeneratedName(long id)
    {
        Span<char> buffer = stackalloc char[12];
        var position = buffer.Length;
        do
        {
            buffer[--position] = NameAlphabet[(int)(id & 63)];
            id >>= 6;
        }
        while (id != 0);

        buffer[--position] = '$';
        return new string(buffer[position..]);
    }

    /// <summary>The id <see cref="GeneratedName"/> made <paramref name="name"/> from; false for any other name.</summary>
    public static bool TryParseGeneratedName(string name, out long id)
    {
        id = 0;
        var digits = name.Length - 1;
        // Canonical only: "$a" is 0, and no longer name starts with the zero digit (as "$ab" would alias "$b").
        if (digits < 1 || digits > MaxIdDigits || name[0] != '$' || (digits > 1 && name[1] == NameAlphabet[0]))
        {
            return false;
        }

        for (var i = 1; i < name.Length; i++)
        {
            var digit = NameAlphabet.IndexOf(name[i], StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }

            id = (id << 6) | (uint)digit;
        }

        return true;
    }

    /// <summary>
    /// Adds <paramref name="child"/> unless the parent closed its children (it is stopping) or a live child has the name.
    /// A name whose holder has terminated but is still listed (its parent has not processed its end) is taken over:
    /// its watchers are told only after it terminated, so one of them may re-create it by name at once. Generated names
    /// are never reused.
    /// </summary>
    public AddOutcome TryAdd(ActorCell child)
    {
        var id = child.GeneratedId;
        lock (_byName)
        {
            if (_closed)
            {
                return AddOutcome.Closed;
            }

            if (id >= 0 ? _byId.TryAdd(id, child) : _byName.TryAdd(child.Name, child))
            {
                return AddOutcome.Added;
            }

            if (id >= 0 || !_byName.TryGetValue(child.Name, out var holder) || !holder.IsTerminated)
            {
                return AddOutcome.NameTaken;
            }

            holder.NameTakenOver = true;
            _byName[child.Name] = child;
            return AddOutcome.Added;
        }
    }

    /// <summary>Refuses every later add and returns the children there are now: the ones the stopping parent must stop.</summary>
    public ActorCell[] Close()
    {
        lock (_byName)
        {
            _closed = true;
            return [.. _byName.Values, .. _byId.Values];
        }
    }

    public bool Remove(ActorCell child)
    {
        var id = child.GeneratedId;
        lock (_byName)
        {
            return id >= 0
                ? _byId.TryGetValue(id, out var current) && ReferenceEquals(current, child) && _byId.Remove(id)
                : _byName.TryGetValue(child.Name, out current) && ReferenceEquals(current, child) && _byName.Remove(child.Name);
        }
    }

    public bool Contains(ActorCell child)
    {
        var id = child.GeneratedId;
        lock (_byName)
        {
            return (id >= 0 ? _byId.TryGetValue(id, out var current) : _byName.TryGetValue(child.Name, out current))
                && ReferenceEquals(current, child);
        }
    }

    public ActorCell? Get(string name)
    {
        var generated = TryParseGeneratedName(name, out var id);
        lock (_byName)
        {
            return generated ? _byId.GetValueOrDefault(id) : _byName.GetValueOrDefault(name);
        }
    }

    public ActorCell[] Snapshot()
    {
        lock (_byName)
        {
            return [.. _byName.Values, .. _byId.Values];
        }
    }
}

/// <summary>What <see cref="ChildrenContainer.TryAdd"/> did.</summary>
internal enum AddOutcome
{
    Added,
    NameTaken,
    Closed,
}
