using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Shutdown;

/// <summary>
/// Stops a node in ordered phases, as Akka.NET's CoordinatedShutdown does: stop taking requests, finish what is
/// in flight, hand shards off and leave the cluster, then stop every actor (children before parents). Tasks of
/// one phase run concurrently; each phase has a timeout after which it is abandoned with a warning, so a stuck
/// task cannot hang the node.
/// </summary>
public sealed class CoordinatedShutdown
{
    /// <summary>Before the node stops accepting requests.</summary>
    public const string PhaseBeforeServiceUnbind = "before-service-unbind";

    /// <summary>Stop accepting new requests (HTTP listeners, queue consumers).</summary>
    public const string PhaseServiceUnbind = "service-unbind";

    /// <summary>Wait for requests already accepted to finish.</summary>
    public const string PhaseServiceRequestsDone = "service-requests-done";

    /// <summary>Stop services.</summary>
    public const string PhaseServiceStop = "service-stop";

    /// <summary>Before leaving the cluster.</summary>
    public const string PhaseBeforeClusterShutdown = "before-cluster-shutdown";

    /// <summary>Hand shards off (persist, stop entities, release leases).</summary>
    public const string PhaseClusterShardingShutdownRegion = "cluster-sharding-shutdown-region";

    /// <summary>Leave the cluster.</summary>
    public const string PhaseClusterLeave = "cluster-leave";

    /// <summary>Before the actors stop.</summary>
    public const string PhaseBeforeActorSystemTerminate = "before-actor-system-terminate";

    /// <summary>Stop every actor; the system terminates.</summary>
    public const string PhaseActorSystemTerminate = "actor-system-terminate";

    private static readonly string[] Order =
    [
        PhaseBeforeServiceUnbind, PhaseServiceUnbind, PhaseServiceRequestsDone, PhaseServiceStop,
        PhaseBeforeClusterShutdown, PhaseClusterShardingShutdownRegion, PhaseClusterLeave,
        PhaseBeforeActorSystemTerminate, PhaseActorSystemTerminate,
    ];

    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<(string Name, Func<CancellationToken, Task> Run)>> _tasks = [];
    private Task? _run;

    internal CoordinatedShutdown(ActorSystem system)
    {
        _system = system;
        _logger = system.LoggerFactory.CreateLogger<CoordinatedShutdown>();
    }

    /// <summary>The phases, in the order they run.</summary>
    public static IReadOnlyList<string> Phases => Order;

    /// <summary>Why the shutdown is running, or null if it has not started.</summary>
    public ShutdownReason? Reason { get; private set; }

    /// <summary>Adds a task to a phase. Its token is cancelled when the phase times out.</summary>
    /// <exception cref="ArgumentException">Unknown phase.</exception>
    /// <exception cref="InvalidOperationException">The shutdown has already started.</exception>
    public void AddTask(string phase, string taskName, Func<CancellationToken, Task> task)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentNullException.ThrowIfNull(task);
        if (!Order.Contains(phase))
        {
            throw new ArgumentException($"Unknown shutdown phase [{phase}]; phases are: {string.Join(", ", Order)}.", nameof(phase));
        }

        lock (_gate)
        {
            if (_run is not null)
            {
                throw new InvalidOperationException($"Cannot add [{taskName}] to [{phase}]: the shutdown is already running.");
            }

            if (!_tasks.TryGetValue(phase, out var list))
            {
                _tasks[phase] = list = [];
            }

            list.Add((taskName, task));
        }
    }

    /// <summary>Runs every phase in order, then terminates the system. Later calls return the same task.</summary>
    public Task RunAsync(ShutdownReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            if (_run is null)
            {
                Reason = reason;
                _run = Task.Run(() => RunPhasesAsync(reason));
            }

            return _run;
        }
    }

    private async Task RunPhasesAsync(ShutdownReason reason)
    {
        _logger.LogInformation("Coordinated shutdown of {ActorSystem} started: {Reason}", _system.Name, reason.Description);
        foreach (var phase in Order)
        {
            var tasks = _tasks.TryGetValue(phase, out var list) ? list.ToArray() : [];
            if (phase == PhaseActorSystemTerminate)
            {
                tasks = [.. tasks, ("terminate-actor-system", _ => _system.Terminate())];
            }

            if (tasks.Length == 0)
            {
                continue;
            }

            var timeout = phase == PhaseActorSystemTerminate ? _system.Options.ShutdownTerminateTimeout : _system.Options.ShutdownPhaseTimeout;
            using var cancellation = new CancellationTokenSource(timeout, _system.TimeProvider);
            var running = tasks.Select(t => RunTaskAsync(phase, t.Name, t.Run, cancellation.Token)).ToArray();
            var all = Task.WhenAll(running);
            var finished = await Task.WhenAny(all, Task.Delay(Timeout.InfiniteTimeSpan, cancellation.Token)).ConfigureAwait(false);
            if (finished != all)
            {
                _logger.LogWarning("Shutdown phase {Phase} did not finish within {Timeout}; going on", phase, timeout);
            }
        }

        _logger.LogInformation("Coordinated shutdown of {ActorSystem} finished", _system.Name);
    }

    private async Task RunTaskAsync(string phase, string name, Func<CancellationToken, Task> run, CancellationToken token)
    {
        try
        {
            await run(token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Shutdown task {Task} in phase {Phase} failed; going on", name, phase);
        }
    }
}
