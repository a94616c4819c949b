using CrossMargin.Testing.Cluster;
using Microsoft.Playwright;

namespace CrossMargin.Dashboard.Tests;

public sealed class ClusterMapTests
{
    private const int Shards = 8;

    [Fact]
    public async Task On_a_cluster_node_the_map_shows_every_member_with_its_status_leases_and_epochs_and_each_shard_by_owner()
    {
        await using var servers = new DisposableServers();
        await servers.Servers.InitializeAsync();
        var (connection, prefix) = await servers.Servers.NewClusterAsync();
        // A heartbeat lapse of 5 s, not the 1 s of the failover tests: a browser starting on a busy machine must not make a member look unreachable.
        string[] Settings(string name) => [.. servers.Servers.NodeSettings(name, connection, prefix, Shards), "--Cluster:HeartbeatTimeout=00:00:05", "--Simulator:Enabled=false"];
        await using var n1 = await KestrelNode.StartAsync(Settings("n1"));
        await using var n2 = await KestrelNode.StartAsync(Settings("n2"));
        await using var browser = await Browser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(n2.Url.ToString());

        await Assertions.Expect(page.Locator("#node-name")).ToHaveTextAsync("n2 (cluster)", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        var members = page.Locator("#cluster-members .member");
        await Assertions.Expect(members).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#cluster-summary")).ToHaveTextAsync($"cluster · 2 members · {Shards} of {Shards} shards held",
            new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#cluster-members .member[data-status=up]")).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        // Leases spread evenly (4 and 4) once the coordinator has rebalanced; each member line names its shards and epochs.
        await Assertions.Expect(page.Locator("#cluster-members .member[data-shards='4']")).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        await Assertions.Expect(members.First).ToContainTextAsync("epoch ");
        await Assertions.Expect(page.Locator("#shard-grid .shard")).ToHaveCountAsync(Shards);
        await Assertions.Expect(page.Locator("#shard-grid .shard[data-owner=n1]")).ToHaveCountAsync(4, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#shard-grid .shard[data-owner=n2]")).ToHaveCountAsync(4);
        var epochs = await page.Locator("#shard-grid .shard").EvaluateAllAsync<long[]>("cells => cells.map(c => Number(c.dataset.epoch))");
        Assert.All(epochs, e => Assert.True(e > 0, "a cluster shard's lease epoch is at least 1"));

        Assert.Empty(browser.ScriptErrors);
        // Features that do not run on cluster nodes answer 501 (their panels say so); nothing else may fail.
        Assert.All(browser.ConsoleErrors, e => Assert.Contains("501", e, StringComparison.Ordinal));
    }

    /// <summary>The servers, removed however the test ends.</summary>
    private sealed class DisposableServers : IAsyncDisposable
    {
        public ClusterServers Servers { get; } = new();

        public async ValueTask DisposeAsync() => await Servers.DisposeAsync();
    }
}
