using System.Runtime.CompilerServices;

namespace CrossMargin.Actors.Tests;

/// <summary>Holds an actor's turn until the test opens it; tells the test when the actor got there.</summary>
internal sealed class Gate : IDisposable
{
    private readonly ManualResetEventSlim _entered = new();
    private readonly ManualResetEventSlim _open = new();

    /// <summary>Called on the actor's turn: signals arrival, then waits (bounded) for <see cref="Open"/>.</summary>
    public void Pass()
    {
        _entered.Set();
        if (!_open.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("The gate was never opened.");
        }
    }

    /// <summary>Waits (bounded) until an actor is held at the gate.</summary>
    public void WaitEntered()
    {
        if (!_entered.Wait(TimeSpan.FromSeconds(5)))
        {
            throw new TimeoutException("No actor reached the gate.");
        }
    }

    public void Open() => _open.Set();

    public void Dispose()
    {
        _entered.Dispose();
        _open.Dispose();
    }
}

/// <summary>A failure raised on purpose by test actors.</summary>
public sealed class BoomException : Exception
{
    public BoomException() : base("boom")
    {
    }

    public BoomException(string message) : base(message)
    {
    }

    public BoomException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>Asks an actor to throw <see cref="Cause"/>.</summary>
internal sealed record Fail(Exception Cause);

/// <summary>Asks a <see cref="Parent"/> for its child called <see cref="Name"/>.</summary>
internal sealed record GetChild(string Name);

/// <summary>Forwards everything it receives (Terminated included) to <c>target</c>.</summary>
internal sealed class Forwarder(IActorRef target) : UntypedActor
{
    protected override void OnReceive(object message) => target.Forward(message);
}

/// <summary>
/// Counts "inc", replies to "get" with the count, throws on <see cref="Fail"/>, replies "pong" to "ping".
/// Its count is state that a restart drops and a resume keeps.
/// </summary>
internal sealed class Counter : ReceiveActor
{
    private int _count;

    public Counter()
    {
        Receive<string>(_ => _count++, s => s == "inc");
        Receive<string>(_ => Sender.Tell(_count), s => s == "get");
        Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        Receive<Fail>(f => throw f.Cause);
    }
}

/// <summary>Starts the given children in its constructor and hands them out on <see cref="GetChild"/>.</summary>
internal sealed class Parent : ReceiveActor
{
    public Parent(params (string Name, Props Props)[] children)
    {
        foreach (var (name, props) in children)
        {
            Context.ActorOf(props, name);
        }

        Receive<GetChild>(g => Sender.Tell(Context.Child(g.Name) ?? ActorRefs.Nobody));
        Receive<Fail>(f => throw f.Cause);
    }
}

/// <summary>Reports every lifecycle hook to <c>probe</c> as "id#instance:Hook".</summary>
internal sealed class LifecycleRecorder : ReceiveActor
{
    private readonly IActorRef _probe;
    private readonly string _id;

    public LifecycleRecorder(IActorRef probe, string id, StrongBox<int> instances, params (string Name, Props Props)[] children)
    {
        _probe = probe;
        _id = id + "#" + Interlocked.Increment(ref instances.Value);
        _probe.Tell(_id + ":ctor", ActorRefs.NoSender);
        foreach (var (name, props) in children)
        {
            Context.ActorOf(props, name);
        }

        Receive<Fail>(f => throw f.Cause);
        Receive<GetChild>(g => Sender.Tell(Context.Child(g.Name) ?? ActorRefs.Nobody));
        ReceiveAny(m => _probe.Tell(_id + ":got " + m, ActorRefs.NoSender));
    }

    protected override void PreStart() => _probe.Tell(_id + ":PreStart", ActorRefs.NoSender);

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe.Tell($"{_id}:PreRestart {reason.Message} {message?.GetType().Name}", ActorRefs.NoSender);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason) => _probe.Tell($"{_id}:PostRestart {reason.Message}", ActorRefs.NoSender);

    protected override void PostStop() => _probe.Tell(_id + ":PostStop", ActorRefs.NoSender);
}
