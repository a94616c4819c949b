using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;

namespace CrossMargin.Cluster.Tests.Sharding;

/// <summary>Replies what it received, tagged with its id and incarnation; obeys the control messages below.</summary>
public sealed class EchoEntity(string entityId, int incarnation) : ActorBase
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Interest interest:
                Context.Parent.Tell(new RegisterInterest(entityId, interest.Topics), Self);
                Sender.Tell(new Echo(entityId, incarnation, "registered"), Self);
                return true;
            case InterestFor other:
                Context.Parent.Tell(new RegisterInterest(other.EntityId, other.Topics), Self);
                Sender.Tell(new Echo(entityId, incarnation, "claimed"), Self);
                return true;
            case PleasePassivate:
                Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
                Sender.Tell(new Echo(entityId, incarnation, "passivating"), Self);
                return true;
            case StopYourself:
                Context.Stop(Self);
                return true;
            default:
                Sender.Tell(new Echo(entityId, incarnation, message), Self);
                return true;
        }
    }
}

public sealed record Echo(string EntityId, int Incarnation, object Message);

public sealed record Interest(IReadOnlySet<string> Topics);

public sealed record PleasePassivate;

public sealed record StopYourself;

public sealed record InterestFor(string EntityId, IReadOnlySet<string> Topics);
