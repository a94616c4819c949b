using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Supervision;

/// <summary>
/// How a parent handles a failing child: a decider maps the exception to a <see cref="Directive"/>, and a
/// restart limit (at most <see cref="MaxNrOfRetries"/> within <see cref="WithinTimeRange"/>) turns a crash loop
/// into Stop.
/// </summary>
public abstract class SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>Creates a strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child within the window; -1 for no limit, 0 for none.</param>
    /// <param name="withinTimeRange">The window; <see cref="Timeout.InfiniteTimeSpan"/> or zero counts restarts over the child's life.</param>
    /// <param name="decider">Maps a failure to a directive.</param>
    /// <param name="loggingEnabled">Whether failures are logged (errors; resumes as warnings).</param>
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNrOfRetries, -1);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
        LoggingEnabled = loggingEnabled;
    }

    /// <summary>
    /// Stops on <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and
    /// <see cref="DeathPactException"/>; restarts on anything else, without limit.
    /// </summary>
    public static SupervisorStrategy Default { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops a child on any failure.</summary>
    public static SupervisorStrategy Stopping { get; } = new OneForOneStrategy(static _ => Directive.Stop);

    /// <summary>Restarts allowed per child within <see cref="WithinTimeRange"/>; -1 means no limit.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>The window restarts are counted in.</summary>
    public TimeSpan WithinTimeRange { get; }

    /// <summary>Whether failures are logged.</summary>
    public bool LoggingEnabled { get; }

    /// <summary>The decider behind <see cref="Default"/>.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>The directive for <paramref name="cause"/>.</summary>
    public Directive Decide(Exception cause) => _decider(cause);

    /// <summary>Applies Restart (within the limit, else Stop) or Stop to the children this strategy covers.</summary>
    internal abstract void Apply(ActorCell parent, ActorCell failedChild, Exception cause, bool restart, TimeProvider time);

    /// <summary>Whether <paramref name="child"/> may restart once more.</summary>
    private protected bool MayRestart(ActorCell child, TimeProvider time) =>
        (child.Restarts ??= new RestartStatistics()).RequestPermission(MaxNrOfRetries, WithinTimeRange, time);
}
