using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Supervision;

/// <summary>The directive applies only to the child that failed.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    /// <summary>A strategy with a restart limit.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child within the window; -1 for no limit, 0 for none.</param>
    /// <param name="withinTimeRange">The window; <see cref="Timeout.InfiniteTimeSpan"/> counts over the child's life.</param>
    /// <param name="decider">Maps a failure to a directive.</param>
    /// <param name="loggingEnabled">Whether failures are logged.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled = true)
        : base(maxNrOfRetries, withinTimeRange, decider, loggingEnabled)
    {
    }

    /// <summary>A strategy without a restart limit.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, Timeout.InfiniteTimeSpan, decider, loggingEnabled: true)
    {
    }

    internal override void Apply(ActorCell parent, ActorCell failedChild, Exception cause, bool restart, TimeProvider time)
    {
        if (restart && MayRestart(failedChild, time))
        {
            failedChild.SendSystemMessage(new Recreate(cause));
        }
        else
        {
            parent.StopChild(failedChild);
        }
    }
}
