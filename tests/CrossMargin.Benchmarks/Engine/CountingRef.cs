using System.Diagnostics;
using CrossMargin.Actors;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// A subscriber for the event stream (or a sender for replies) that only counts what it is told and stamps the first
/// message and the one that reaches <see cref="Target"/>. Not an actor: a counting actor would add a mailbox turn per
/// message to what is measured, and a million-account mark move publishes a million events.
/// </summary>
internal sealed class CountingRef(string name, Func<object, int> weigh) : IActorRef
{
    /// <summary>Counts each message <paramref name="accept"/> takes (every message when null) once.</summary>
    public CountingRef(string name, Func<object, bool>? accept = null)
        : this(name, m => accept is null || accept(m) ? 1 : 0)
    {
    }

    private long _count;
    private long _first;
    private long _reached;

    public ActorPath Path { get; } = ActorPath.Root("bench").Child(name);

    public string Name => Path.Name;

    /// <summary>The count at which <see cref="ReachedAt"/> is stamped.</summary>
    public long Target { get; private set; } = long.MaxValue;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Stopwatch timestamp of the first message since <see cref="Reset"/>, 0 if none.</summary>
    public long FirstAt => Interlocked.Read(ref _first);

    /// <summary>Stopwatch timestamp of the message that made the count reach <see cref="Target"/>, 0 if not yet.</summary>
    public long ReachedAt => Interlocked.Read(ref _reached);

    /// <summary>Zeroes the count and sets the count to stamp.</summary>
    public void Reset(long target)
    {
        Target = target;
        Interlocked.Exchange(ref _first, 0);
        Interlocked.Exchange(ref _reached, 0);
        Interlocked.Exchange(ref _count, 0);
    }

    public void Tell(object message, IActorRef? sender)
    {
        // A message may count as several (a batch of account limits counts as its accounts).
        var weight = weigh(message);
        if (weight == 0)
        {
            return;
        }

        var count = Interlocked.Add(ref _count, weight);
        if (count == weight)
        {
            Interlocked.CompareExchange(ref _first, Stopwatch.GetTimestamp(), 0);
        }

        if (count >= Target && count - weight < Target)
        {
            Interlocked.Exchange(ref _reached, Stopwatch.GetTimestamp());
        }
    }
}
