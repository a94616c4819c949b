using System.Collections.Concurrent;
using CrossMargin.Actors.Dispatch;
using CrossMargin.Actors.Events;
using CrossMargin.Actors.Scheduling;
using CrossMargin.Actors.Shutdown;
using CrossMargin.Actors.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrossMargin.Actors;

/// <summary>
/// A named hierarchy of actors with its scheduler, event stream, dead letters and shutdown sequence. Top-level
/// actors live under <c>/user</c>; the kernel's own under <c>/system</c>.
/// </summary>
public sealed class ActorSystem : IActorRefFactory, IAsyncDisposable
{
    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Type, ILogger> _loggers = new();
    private readonly DeadLetterLog _deadLetterLog;
    private long _deadLetterCount;
    private int _terminating;
    private long _terminationDeadline;

    private ActorSystem(string name, ActorSystemOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, ActivityCounter? activity)
    {
        // Before the root starts: its creation is the first unit of work counted.
        Activity = activity;
        Name = name;
        Options = options;
        LoggerFactory = loggerFactory;
        TimeProvider = timeProvider;
        Scheduler = new TimeProviderScheduler(timeProvider);
        AskDeadlines = new AskDeadlines(timeProvider);
        EventStream = new EventStream();
        DeadLetters = new DeadLetterActorRef(this);
        _deadLetterLog = new DeadLetterLog(loggerFactory.CreateLogger("CrossMargin.Actors.DeadLetters"), timeProvider,
            options.DeadLetterLogLimit, options.DeadLetterLogWindow);

        ActorCell? user = null;
        ActorCell? system = null;
        var rootProps = Props.Create(() => new RootGuardianActor(() => user!, () => system!)).WithSupervisorStrategy(SupervisorStrategy.Stopping);
        _root = new ActorCell(this, null, rootProps, "");
        var guardianProps = Props.Create(() => new GuardianActor());
        user = _userGuardian = _root.SpawnChild(guardianProps, "user");
        system = _systemGuardian = _root.SpawnChild(guardianProps, "system");
        _root.Start();
        CoordinatedShutdown = new CoordinatedShutdown(this);
    }

    /// <summary>The system's name, the authority part of every path.</summary>
    public string Name { get; }

    /// <summary>The settings it runs with.</summary>
    public ActorSystemOptions Options { get; }

    /// <summary>Where the kernel and <c>Context.Log</c> log.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock behind timers, the scheduler, Ask timeouts and restart windows.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The work in flight, when the system was created to count it; null otherwise (a field: the cells read it per message).</summary>
    internal readonly ActivityCounter? Activity;

    /// <summary>
    /// A test hook, null otherwise: runs on the spawning thread between a spawn's first check that its parent is not
    /// stopping and its add to the parent's children, where a top-level spawn can meet the system's termination.
    /// </summary>
    internal Action<IActorRef>? BeforeChildAdded { get; set; }

    /// <summary>The timeouts of pending Asks, one timer per distinct timeout rather than per Ask.</summary>
    internal AskDeadlines AskDeadlines { get; }

    /// <summary>Delayed and periodic messages.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>In-node publish/subscribe by type.</summary>
    public EventStream EventStream { get; }

    /// <summary>Where undeliverable messages go.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>How many dead letters there have been.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetterCount);

    /// <summary>The phased shutdown sequence; running it ends with <see cref="Terminate"/>.</summary>
    public CoordinatedShutdown CoordinatedShutdown { get; }

    /// <summary>Completes when every actor, guardians included, has stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>True once <see cref="Terminate"/> was called: every actor is stopping and no new one can be started.</summary>
    public bool IsTerminating => Volatile.Read(ref _terminating) != 0;

    /// <summary>Creates and starts a system.</summary>
    /// <param name="name">ASCII letters, digits, '-' and '_', starting with a letter or digit.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="timeProvider">The clock; null for the system clock. Tests pass a manual one.</param>
    /// <param name="activity">Counts the work in flight, so a test can wait until the system is idle; null (the default) for none.</param>
    /// <exception cref="ArgumentException">The name or the options are invalid (every problem is listed).</exception>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null,
        ActivityCounter? activity = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Actor system name [{name}] must be ASCII letters, digits, '-' or '_', starting with a letter or digit.", nameof(name));
        }

        options ??= new ActorSystemOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid actor system options: " + string.Join(" ", errors), nameof(options));
        }

        return new ActorSystem(name, options, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, activity);
    }

    /// <summary>Creates a system from the options pipeline (for dependency injection).</summary>
    public static ActorSystem Create(string name, IOptions<ActorSystemOptions> options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(name, options.Value, loggerFactory, timeProvider);
    }

    /// <summary>Starts a top-level actor under <c>/user</c>.</summary>
    /// <exception cref="InvalidOperationException">The system is terminating; the actor is not created.</exception>
    public IActorRef ActorOf(Props props, string? name = null) => Guardian(_userGuardian, props, name).SpawnChild(props, name);

    /// <summary>Starts an actor under <c>/system</c>, for infrastructure that should outlive user actors at shutdown.</summary>
    /// <exception cref="InvalidOperationException">The system is terminating; the actor is not created.</exception>
    public IActorRef SystemActorOf(Props props, string? name = null) => Guardian(_systemGuardian, props, name).SpawnChild(props, name);

    /// <summary>Stops any actor after the message it is processing (children first). Does nothing for non-actors or actors of another system.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is ActorCell cell && ReferenceEquals(cell.System, this))
        {
            cell.StopSelf();
        }
    }

    /// <summary>
    /// Stops every actor: top-level actors (each after its children), then the system's own, then the root.
    /// Idempotent. Prefer <see cref="Shutdown.CoordinatedShutdown.RunAsync"/>, which runs the shutdown phases first.
    /// </summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminating, 1) == 0)
        {
            // The whole system is one tree being stopped: every stop from now on (the user guardian's subtree, then the
            // system guardian's, which the root starts afterwards) ends by this deadline.
            Volatile.Write(ref _terminationDeadline, TimeProvider.GetTimestamp() + StopTimeoutTimestampTicks);
            _userGuardian.StopSelf();
        }

        return WhenTerminated;
    }

    /// <summary>Runs the coordinated shutdown and waits for it.</summary>
    public async ValueTask DisposeAsync() =>
        await CoordinatedShutdown.RunAsync(ShutdownReason.ActorSystemDisposed).ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"ActorSystem({Name})";

    // Once Terminate was called the guardians are stopping, though they may not have processed it yet: a top-level actor
    // started now would run its constructor and PreStart only to be stopped (or, racing the guardian's end, outlive it).
    private ActorCell Guardian(ActorCell guardian, Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        return !IsTerminating
            ? guardian
            : throw new InvalidOperationException($"Cannot create {props.ActorType.Name} [{name ?? "(a generated name)"}] under {guardian.Path}: {this} is terminating.");
    }

    /// <summary>The deadline of the system's termination (a <see cref="TimeProvider"/> timestamp) once <see cref="Terminate"/> was called.</summary>
    internal long? TerminationDeadline => Volatile.Read(ref _terminationDeadline) is var deadline and not 0 ? deadline : null;

    /// <summary><see cref="ActorSystemOptions.StopTimeout"/> in <see cref="TimeProvider"/> timestamp ticks.</summary>
    internal long StopTimeoutTimestampTicks => (long)((Int128)Options.StopTimeout.Ticks * TimeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);

    internal ILogger LoggerFor(Type type) => _loggers.GetOrAdd(type, static (t, f) => f.CreateLogger(t), LoggerFactory);

    internal void DeadLetter(object message, IActorRef? sender, IActorRef recipient)
    {
        // The kernel's own envelopes (a watch's Terminated, a keyed timer's message) are not what anyone sent: the dead
        // letter names what the actor would have received.
        message = message switch
        {
            QueuedTerminated queued => queued.Terminated,
            TimerMessage timer => timer.Message,
            _ => message,
        };
        var total = Interlocked.Increment(ref _deadLetterCount);
        var deadLetter = message as DeadLetter ?? new DeadLetter(message, sender, recipient);
        _deadLetterLog.Record(deadLetter, total);

        // An Ask's request that dies here will never be answered: its caller learns now, not at the timeout.
        if (sender is PendingAsk ask)
        {
            ask.DeadLettered(message, recipient);
        }

        // A dead letter about a dead letter is counted, not republished: that would loop when a subscriber is gone.
        if (message is not Events.DeadLetter)
        {
            EventStream.Publish(deadLetter);
        }
    }

    internal void PublishUnhandled(object message, IActorRef? sender, IActorRef recipient) =>
        EventStream.Publish(new UnhandledMessage(message, sender, recipient));

    internal void OnRootTerminated() => _terminated.TrySetResult();
}
