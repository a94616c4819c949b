namespace CrossMargin.Actors.Dispatch;

/// <summary>The parent of top-level actors (<c>/user</c>) and of the system's own actors (<c>/system</c>).</summary>
internal sealed class GuardianActor : ActorBase
{
    protected internal override bool Receive(object message) => false;
}
