using System.Collections.Concurrent;
using System.Diagnostics;

namespace CrossMargin.Actors.TestKit;

/// <summary>
/// A stand-in actor a test can send from and assert on: it records what it receives, and the Expect methods
/// wait (up to a timeout) for the next message and check it.
/// </summary>
public sealed class TestProbe
{
    private readonly BlockingCollection<ReceivedMessage> _queue = [];

    /// <summary>Starts a probe in <paramref name="system"/>.</summary>
    public TestProbe(ActorSystem system, string? name = null, TimeSpan? defaultTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        DefaultTimeout = defaultTimeout ?? TimeSpan.FromSeconds(3);
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(_queue)), name is null ? null : "probe-" + name);
    }

    /// <summary>The probe's reference: send to it, or use it as a sender.</summary>
    public IActorRef Ref { get; }

    /// <summary>The system it lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>How long Expect methods wait when no timeout is given.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>The sender of the last message taken from the queue.</summary>
    public IActorRef? LastSender { get; private set; }

    /// <summary>Messages received and not yet taken.</summary>
    public int QueuedCount => _queue.Count;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this probe as the sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    /// <summary>Replies to <see cref="LastSender"/>.</summary>
    public void Reply(object message) =>
        (LastSender ?? throw new TestKitAssertionException("Reply needs a message with a sender first.")).Tell(message, Ref);

    /// <summary>Forwards <paramref name="message"/> to <paramref name="target"/> keeping <see cref="LastSender"/> as the sender.</summary>
    public void Forward(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, LastSender);
    }

    /// <summary>Waits for the next message; it must be a <typeparamref name="T"/> satisfying <paramref name="predicate"/>.</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var received = Next(timeout, $"a {typeof(T).Name}");
        if (received.Message is not T typed)
        {
            throw new TestKitAssertionException($"Expected a {typeof(T).Name} but got {Describe(received.Message)}.");
        }

        if (predicate is not null && !predicate(typed))
        {
            throw new TestKitAssertionException($"Got {Describe(received.Message)}, which does not satisfy the expectation.");
        }

        return typed;
    }

    /// <summary>Waits for the next message; it must equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
    {
        var received = Next(timeout, Describe(expected));
        if (!Equals(received.Message, expected))
        {
            throw new TestKitAssertionException($"Expected {Describe(expected)} but got {Describe(received.Message)}.");
        }

        return (T)received.Message;
    }

    /// <summary>Asserts that nothing arrives for <paramref name="duration"/> (default 200 ms).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        if (_queue.TryTake(out var received, duration ?? TimeSpan.FromMilliseconds(200)))
        {
            throw new TestKitAssertionException($"Expected no message but got {Describe(received.Message)}.");
        }
    }

    /// <summary>Skips messages until one is a <typeparamref name="T"/> for which <paramref name="isTheOne"/> holds.</summary>
    public T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var skipped = 0;
        while (true)
        {
            var remaining = limit - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero || !_queue.TryTake(out var received, remaining))
            {
                throw new TestKitAssertionException($"No matching {typeof(T).Name} within {limit.TotalMilliseconds:0} ms ({skipped} other messages skipped).");
            }

            LastSender = received.Sender;
            if (received.Message is T typed && isTheOne(typed))
            {
                return typed;
            }

            skipped++;
        }
    }

    /// <summary>Waits for <paramref name="count"/> messages (in total within the timeout) and returns them in arrival order.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var messages = new List<object>(count);
        while (messages.Count < count)
        {
            var remaining = limit - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero || !_queue.TryTake(out var received, remaining))
            {
                throw new TestKitAssertionException($"Received {messages.Count} of {count} messages within {limit.TotalMilliseconds:0} ms.");
            }

            LastSender = received.Sender;
            messages.Add(received.Message);
        }

        return messages;
    }

    /// <summary>Makes the probe watch <paramref name="actor"/>; pair with <see cref="ExpectTerminated"/>.</summary>
    public IActorRef Watch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Ref.Tell(new ProbeActor.WatchRequest(actor), null);
        return actor;
    }

    /// <summary>Stops watching <paramref name="actor"/>.</summary>
    public IActorRef Unwatch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Ref.Tell(new ProbeActor.UnwatchRequest(actor), null);
        return actor;
    }

    /// <summary>Waits for the <see cref="Terminated"/> of <paramref name="actor"/> (which the probe must watch).</summary>
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var received = Next(timeout, $"Terminated({actor.Path})");
        if (received.Message is not Terminated terminated || !ReferenceEquals(terminated.ActorRef, actor))
        {
            throw new TestKitAssertionException($"Expected Terminated({actor.Path}) but got {Describe(received.Message)}.");
        }

        return terminated;
    }

    private ReceivedMessage Next(TimeSpan? timeout, string expectation)
    {
        var wait = timeout ?? DefaultTimeout;
        if (!_queue.TryTake(out var received, wait))
        {
            throw new TestKitAssertionException($"Timed out after {wait.TotalMilliseconds:0} ms waiting for {expectation} at {Ref.Path}.");
        }

        LastSender = received.Sender;
        return received;
    }

    private static string Describe(object message) => $"{message.GetType().Name} {message}";
}
