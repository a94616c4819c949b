using System.Collections.Concurrent;

namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// One <see cref="AskDeadlineQueue"/> per timeout a system's Asks use. Callers use a handful of timeouts (the system's
/// default, a host's configured one); past <see cref="MaxQueues"/> distinct ones an Ask falls back to a timer of its
/// own, so odd timeouts cannot grow this without limit.
/// </summary>
internal sealed class AskDeadlines(TimeProvider time)
{
    internal const int MaxQueues = 16;

    private readonly ConcurrentDictionary<TimeSpan, AskDeadlineQueue> _queues = new();

    /// <summary>The queue of Asks waiting <paramref name="timeout"/>, or null when there are too many distinct timeouts.</summary>
    public AskDeadlineQueue? For(TimeSpan timeout)
    {
        if (_queues.TryGetValue(timeout, out var queue))
        {
            return queue;
        }

        return _queues.Count >= MaxQueues ? null : _queues.GetOrAdd(timeout, static (t, provider) => new AskDeadlineQueue(provider, t), time);
    }
}
