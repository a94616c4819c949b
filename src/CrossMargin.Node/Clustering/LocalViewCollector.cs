using System.Collections.Concurrent;
using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>Gathers the <see cref="AccountView"/>s this node's accounts send in answer to a broadcast.</summary>
internal sealed class LocalViewCollector : IActorRef
{
    private readonly ConcurrentQueue<AccountView> _views = new();

    public ActorPath Path { get; } = ActorPath.Root("cluster").Child("view-collector");

    public string Name => Path.Name;

    public IReadOnlyList<AccountView> Views => _views.ToArray();

    public void Tell(object message, IActorRef? sender)
    {
        if (message is AccountView view)
        {
            _views.Enqueue(view);
        }
    }
}
