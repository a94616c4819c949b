namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// The root: when <c>/user</c> has stopped (every top-level actor first), it stops <c>/system</c>, then itself,
/// which completes <see cref="ActorSystem.WhenTerminated"/>.
/// </summary>
internal sealed class RootGuardianActor(Func<IActorRef> user, Func<IActorRef> system) : ActorBase
{
    protected override void PreStart()
    {
        Context.Watch(user());
        Context.Watch(system());
    }

    protected internal override bool Receive(object message)
    {
        if (message is not Terminated terminated)
        {
            return false;
        }

        if (ReferenceEquals(terminated.ActorRef, user()))
        {
            Context.Stop(system());
        }
        else
        {
            Context.Stop(Self);
        }

        return true;
    }
}
