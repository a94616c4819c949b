namespace CrossMargin.Actors.Scheduling;

/// <summary>
/// Delayed and periodic messages, driven by the system's <see cref="TimeProvider"/> (so tests can advance
/// time by hand). Inside an actor prefer <see cref="ITimerScheduler"/>: its timers die with the actor.
/// </summary>
public interface IScheduler
{
    /// <summary>The clock the scheduler runs on.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> once, after <paramref name="delay"/>.</summary>
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);

    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/> on a pool thread (not inside any actor).</summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);
}
