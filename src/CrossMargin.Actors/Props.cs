using CrossMargin.Actors.Supervision;

namespace CrossMargin.Actors;

/// <summary>
/// The recipe for an actor: a factory delegate (called again on every restart, so it must return a new
/// instance each time) and per-actor settings. Immutable; the <c>With</c> methods return copies.
/// </summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, SupervisorStrategy? supervisorStrategy, int? throughput, bool callingThread,
        MailboxCounter? mailboxCounter)
    {
        ActorType = actorType;
        _factory = factory;
        SupervisorStrategy = supervisorStrategy;
        Throughput = throughput;
        CallingThread = callingThread;
        MailboxCounter = mailboxCounter;
    }

    /// <summary>The actor's type, for logs and diagnostics.</summary>
    public Type ActorType { get; }

    /// <summary>How the actor supervises its children; null means <see cref="Supervision.SupervisorStrategy.Default"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Messages processed per turn before the thread is yielded; null means the system's setting.</summary>
    public int? Throughput { get; }

    /// <summary>Counts the messages waiting in the mailboxes of the actors made from these props; null means uncounted.</summary>
    public MailboxCounter? MailboxCounter { get; }

    /// <summary>Set by the TestKit: messages are processed on the sending thread, synchronously.</summary>
    internal bool CallingThread { get; }

    /// <summary>Props that create actors with <paramref name="factory"/> (no reflection is involved).</summary>
    /// <typeparam name="TActor">The actor type.</typeparam>
    /// <param name="factory">Returns a new instance on every call.</param>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory, null, null, false, null);
    }

    /// <summary>A copy whose actor supervises its children with <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(ActorType, _factory, strategy, Throughput, CallingThread, MailboxCounter);
    }

    /// <summary>A copy that processes at most <paramref name="messagesPerTurn"/> messages per turn.</summary>
    public Props WithThroughput(int messagesPerTurn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesPerTurn, 1);
        return new Props(ActorType, _factory, SupervisorStrategy, messagesPerTurn, CallingThread, MailboxCounter);
    }

    /// <summary>
    /// A copy whose actors count the messages waiting in their mailboxes into <paramref name="counter"/>, which any
    /// number of actors (a whole region) may share.
    /// </summary>
    public Props WithMailboxCounter(MailboxCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        return new Props(ActorType, _factory, SupervisorStrategy, Throughput, CallingThread, counter);
    }

    internal Props WithCallingThread() => new(ActorType, _factory, SupervisorStrategy, Throughput, true, MailboxCounter);

    internal ActorBase NewActor() => _factory();

    /// <inheritdoc />
    public override string ToString() => $"Props({ActorType.Name})";
}
