using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Supervision;

/// <summary>
/// The directive applies to every child of the supervisor, for children that only make sense together.
/// The restart limit is checked for each child; if any exceeds it, all stop.
/// </summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    /// <summary>A strategy with a restart limit.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child within the window; -1 for no limit, 0 for none.</param>
    /// <param name="withinTimeRange">The window; <see cref="Timeout.InfiniteTimeSpan"/> counts over the children's life.</param>
    /// <param name="decider">Maps a failure to a directive.</param>
    /// <param name="loggingEnabled">Whether failures are logged.</param>
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled = true)
        : base(maxNrOfRetries, withinTimeRange, decider, loggingEnabled)
    {
    }

    /// <summary>A strategy without a restart limit.</summary>
    public AllForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, Timeout.InfiniteTimeSpan, decider, loggingEnabled: true)
    {
    }

    internal override void Apply(ActorCell parent, ActorCell failedChild, Exception cause, bool restart, TimeProvider time)
    {
        var children = parent.ChildRefs.Cast<ActorCell>().Where(c => !c.StoppingByParent).ToArray();
        var permitted = restart;
        foreach (var child in children)
        {
            permitted &= MayRestart(child, time);
        }

        foreach (var child in children)
        {
            if (permitted)
            {
                child.SendSystemMessage(new Recreate(cause));
            }
            else
            {
                parent.StopChild(child);
            }
        }
    }
}
