using System.Collections.Concurrent;

namespace CrossMargin.Actors.TestKit;

/// <summary>The actor behind a <see cref="TestProbe"/>: queues everything it receives, Terminated included.</summary>
internal sealed class ProbeActor(BlockingCollection<ReceivedMessage> queue) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case WatchRequest watch:
                Context.Watch(watch.Target);
                break;
            case UnwatchRequest unwatch:
                Context.Unwatch(unwatch.Target);
                break;
            default:
                queue.Add(new ReceivedMessage(message, Context.Sender == Context.System.DeadLetters ? null : Context.Sender));
                break;
        }
    }

    internal sealed record WatchRequest(IActorRef Target);

    internal sealed record UnwatchRequest(IActorRef Target);
}
