namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// An actor's children by name. Locked because the system's top-level <c>ActorOf</c> may be called from any
/// thread; everything else touches it from the parent's own turn.
/// </summary>
internal sealed class ChildrenContainer
{
    private const string NameAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";
    private readonly Dictionary<string, ActorCell> _byName = new(StringComparer.Ordinal);
    private long _nextId;

    public int Count
    {
        get
        {
            lock (_byName)
            {
                return _byName.Count;
            }
        }
    }

    /// <summary>Akka-style generated names: <c>$a</c>, <c>$b</c>, ... from a counter in base 64.</summary>
    public string NextName()
    {
        var id = Interlocked.Increment(ref _nextId) - 1;
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

    public bool TryAdd(ActorCell child)
    {
        lock (_byName)
        {
            return _byName.TryAdd(child.Name, child);
        }
    }

    public bool Remove(ActorCell child)
    {
        lock (_byName)
        {
            return _byName.TryGetValue(child.Name, out var current) && ReferenceEquals(current, child) && _byName.Remove(child.Name);
        }
    }

    public bool Contains(ActorCell child)
    {
        lock (_byName)
        {
            return _byName.TryGetValue(child.Name, out var current) && ReferenceEquals(current, child);
        }
    }

    public ActorCell? Get(string name)
    {
        lock (_byName)
        {
            return _byName.GetValueOrDefault(name);
        }
    }

    public ActorCell[] Snapshot()
    {
        lock (_byName)
        {
            return [.. _byName.Values];
        }
    }
}
