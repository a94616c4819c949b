using CrossMargin.Actors;
using CrossMargin.Cluster.Leases;
using CrossMargin.Engine;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The liquidation singleton's writes are fenced by its lease, as a node's <see cref="ShardQueueHost"/> starts them: a
/// holder that lost the lease (frozen past its expiry while another node took it) cannot extend the fund's or the
/// coordinator's history.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class SingletonFencingTests(ClusterServers servers)
{
    [Fact]
    public async Task A_stale_singleton_holder_cannot_write_the_insurance_fund_and_its_successor_can()
    {
        var (connectionString, _) = await servers.NewClusterAsync();
        await using var store = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, TimeProvider.System,
            NullLogger<PostgresPersistence>.Instance);
        await using var leasesSource = NpgsqlDataSource.Create(connectionString);
        var leases = new PostgresLeaseStore(leasesSource);
        var name = LeaseNames.Singleton(ShardQueueHost.LiquidationSingletonName);

        var stale = await leases.TryAcquireAsync(name, "n1", TimeSpan.FromMilliseconds(500));
        Assert.NotNull(stale);
        await Task.Delay(800);   // n1 froze past its lease; n2 takes the singleton over
        var current = await leases.TryAcquireAsync(name, "n2", TimeSpan.FromSeconds(30));
        Assert.NotNull(current);
        Assert.True(current.Epoch > stale.Epoch);

        await using var writer = new BatchingJournalWriter(store.Journal, new JournalOptions(), TimeProvider.System);
        var services = new PersistenceServices(store.Journal, writer, store.SnapshotStore, RiskEngine.RegisterEvents(new EventTypeRegistry()), "test",
            new PersistenceOptions());
        var market = new LatestMarket(MarketFile.Load(Path.Combine(ConfigurationDirectory.Resolve([]), "venue", "market.json")));
        await using var system = ActorSystem.Create("fencing");

        var staleFund = system.ActorOf(InsuranceFundActor.Props(services with { Fence = () => stale.ToFence() }, market), "stale-fund");
        var refused = staleFund.Ask<object>(new DepositToInsuranceFund("stale-deposit", "USDT", 100m), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<AskTimeoutException>(() => refused);   // the write is refused and the actor stops
        Assert.Equal(0, await store.Journal.ReadHighestSequenceNrAsync(InsuranceFundActor.Id));

        var fund = system.ActorOf(InsuranceFundActor.Props(services with { Fence = () => current.ToFence() }, market), "fund");
        Assert.IsType<InsuranceFundDeposited>(await fund.Ask<object>(new DepositToInsuranceFund("deposit", "USDT", 100m), TimeSpan.FromSeconds(10)));
        var view = await fund.Ask<InsuranceFundView>(GetInsuranceFund.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(100m, view.Balances["USDT"]);
        Assert.Equal(1, await store.Journal.ReadHighestSequenceNrAsync(InsuranceFundActor.Id));
    }
}
