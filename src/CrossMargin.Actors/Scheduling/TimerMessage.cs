using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Scheduling;

/// <summary>
/// What a keyed timer actually sends: the owner and generation let the actor drop messages from timers that
/// were cancelled or replaced after the message was queued.
/// </summary>
internal sealed class TimerMessage(TimerScheduler owner, object key, int generation, object message) : IAutoReceivedMessage
{
    public TimerScheduler Owner { get; } = owner;

    public object Key { get; } = key;

    public int Generation { get; } = generation;

    public object Message { get; } = message;
}
