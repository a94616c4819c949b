using CrossMargin.Actors;
using ActorProps = CrossMargin.Actors.Props;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The liquidation coordinator and the insurance fund, started together on one node: on an embedded node for its
/// whole life, in a cluster by the holder of the singleton lease (their journals fenced by it) and stopped before
/// the lease is given up. Both recover from their journals when started.
/// </summary>
public sealed class LiquidationSingleton
{
    private readonly ActorSystem _system;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LiquidationSingleton(ActorSystem system, IActorRef coordinator, IActorRef fund)
    {
        _system = system;
        Coordinator = coordinator;
        InsuranceFund = fund;
        _system.ActorOf(ActorProps.Create(() => new WatchEither([coordinator, fund], _stopped)));
    }

    /// <summary>
    /// Completes once the coordinator or the fund has stopped, by <see cref="StopAsync"/> or on its own: a persistent
    /// actor whose journal write failed stops, and nothing starts it again, so whoever runs them must (in a cluster:
    /// give the singleton's lease up, so it is taken again and both recover from their journals).
    /// </summary>
    public Task Stopped => _stopped.Task;

    /// <summary>The liquidation coordinator.</summary>
    public IActorRef Coordinator { get; }

    /// <summary>The insurance fund.</summary>
    public IActorRef InsuranceFund { get; }

    /// <summary>
    /// Stops the coordinator, then the fund, and returns once both have stopped (each after the message it is
    /// processing, so a write in flight finishes first) or <paramref name="timeout"/> passed. On a system that is
    /// terminating (a lease lost during the node's shutdown) the system stops both: this returns once it has.
    /// </summary>
    /// <returns>True when both stopped in time.</returns>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = stopped.Task;
        try
        {
            _system.ActorOf(ActorProps.Create(() => new StopInOrder([Coordinator, InsuranceFund], stopped)));
        }
        catch (InvalidOperationException) when (_system.IsTerminating)
        {
            // A lease lost while the node shuts down: the system stops both (and refuses the actor that would order it).
            done = _system.WhenTerminated;
        }

        try
        {
            await done.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Completes <c>stopped</c> when the first of the actors terminates, then stops itself.</summary>
    private sealed class WatchEither : ReceiveActor
    {
        public WatchEither(IReadOnlyList<IActorRef> actors, TaskCompletionSource stopped)
        {
            foreach (var actor in actors)
            {
                Context.Watch(actor);
            }

            Receive<Terminated>(_ =>
            {
                stopped.TrySetResult();
                Context.Stop(Self);
            });
        }
    }

    /// <summary>Stops each actor after the one before it has terminated, then itself.</summary>
    private sealed class StopInOrder : ReceiveActor
    {
        private readonly Queue<IActorRef> _left;
        private readonly TaskCompletionSource _done;

        public StopInOrder(IEnumerable<IActorRef> actors, TaskCompletionSource done)
        {
            _left = new Queue<IActorRef>(actors);
            _done = done;
            Receive<Terminated>(_ => Next());
        }

        protected override void PreStart() => Next();

        private void Next()
        {
            if (_left.TryDequeue(out var next))
            {
                Context.Watch(next);
                Context.System.Stop(next);
                return;
            }

            _done.TrySetResult();
            Context.Stop(Self);
        }
    }
}
