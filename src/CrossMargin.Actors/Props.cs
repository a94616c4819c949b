using CrossMargin.Actors.Supervision;

namespace CrossMargin.Actors;

/// <summary>
/// The recipe for an actor: a factory delegate (called again on every restart, so it must return a new
/// instance each time) and per-actor settings. Immutable; the <c>With</c> methods return copies.
/// </summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, SupervisorStrategy? supervisorStrategy, int? throughput, bool callingThread)
    {
        ActorType = actorType;
        _factory = factory;
        SupervisorStrategy = supervisorStrategy;
        Throughput = throughput;
        CallingThread = callingThread;
    }

    /// <summary>The actor's type, for logs and diagnostics.</summary>
    public Type ActorType { get; }

    /// <summary>How the actor supervises its children; null means <see cref="Supervision.SupervisorStrategy.Default"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Messages processed per turn before the thread is yielded; null means the system's setting.</summary>
    public int? Throughput { get; }

    /// <summary>Set by the TestKit: messages are processed on the sending thread, synchronously.</summary>
    internal bool CallingThread { get; }

    /// <summary>Props that create actors with <paramref name="factory"/> (no reflection is involved).</summary>
    /// <typeparam name="TActor">The actor type.</typeparam>
    /// <param name="factory">Returns a new instance on every call.</param>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory, null, null, false);
    }

    /// <summary>A copy whose actor supervises its children with <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(ActorType, _factory, strategy, Throughput, CallingThread);
    }

    /// <summary>A copy that processes at most <paramref name="messagesPerTurn"/> messages per turn.</summary>
    public Props WithThroughput(int messagesPerTurn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesPerTurn, 1);
        return new Props(ActorType, _factory, SupervisorStrategy, messagesPerTurn, CallingThread);
    }

    internal Props WithCallingThread() => new(ActorType, _factory, SupervisorStrategy, Throughput, true);

    internal ActorBase NewActor() => _factory();

    /// <inheritdoc />
    public override string ToString() => $"Props({ActorType.Name})";
}
