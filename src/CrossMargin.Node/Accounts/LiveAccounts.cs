using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Hosting;

namespace CrossMargin.Node.Accounts;

/// <summary>
/// The views of every account live in this node's region: what the dashboard, <c>stress run</c> and the parameter
/// dry-run work over. An account recovered from the journal is live once a message reached it since the node started;
/// one holding nothing (no balance, position or order) registers no topic and is left out, as it carries no risk.
/// </summary>
public sealed class LiveAccounts(EngineHost host)
{
    /// <summary>The views, by account id; empty before the engine started.</summary>
    public async Task<IReadOnlyList<AccountView>> GetAsync(CancellationToken cancellation)
    {
        if (host.Engine is not { } engine)
        {
            return [];
        }

        var stats = await engine.Accounts.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10), cancellation);
        var done = new TaskCompletionSource<IReadOnlyList<AccountView>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var topics = TopicsOf(engine, host.Assets);
        engine.System.ActorOf(Props.Create(() => new AccountCollector(engine.Accounts, topics, stats.TotalEntities, done)));
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellation);
    }

    private static HashSet<string> TopicsOf(RiskEngine engine, IEnumerable<string> assets)
    {
        var topics = new HashSet<string>(assets, StringComparer.Ordinal);
        // Expired instruments too: an account holding nothing but one (and its settlement asset) is live until settled.
        foreach (var instrument in engine.Market.Current.Instruments.Concat(engine.Market.Current.ExpiredInstruments))
        {
            topics.Add(instrument.Underlying);
            topics.Add(instrument.SettlementAsset);
        }

        return topics;
    }
}
