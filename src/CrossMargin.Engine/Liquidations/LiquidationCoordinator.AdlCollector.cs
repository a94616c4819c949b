using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The collector of an auto-deleverage round's candidate views.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>Asks every account interested in the underlying for its view and hands what came back in the window to its parent.</summary>
    private sealed class AdlCollector : ReceiveActor
    {
        private readonly List<AccountView> _views = [];
        private readonly IActorRef _accounts;
        private readonly IReadOnlySet<string> _topics;
        private readonly TimeSpan _window;

        public AdlCollector(string liquidationId, IActorRef accounts, IReadOnlySet<string> topics, TimeSpan window)
        {
            _accounts = accounts;
            _topics = topics;
            _window = window;
            Receive<AccountView>(_views.Add);
            Receive<Done>(_ =>
            {
                Context.Parent.Tell(new AdlViewsCollected(liquidationId, _views.ToArray()), Self);
                Context.Stop(Self);
            });
        }

        protected override void PreStart()
        {
            _accounts.Tell(new ShardBroadcast(GetAccount.Instance, _topics), Self);
            Timers.StartSingleTimer("window", Done.Instance, _window);
        }

        private sealed record Done
        {
            public static Done Instance { get; } = new();
        }
    }
}
