using CrossMargin.Cluster.Tests.Infrastructure;

namespace CrossMargin.Cluster.Tests.Leases;

[Collection(UsesPostgres.Name)]
public sealed class LeaseStoreTests(PostgresServerFixture fixture)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_free_lease_is_taken_at_epoch_one_and_a_live_one_cannot_be_taken_by_another_node()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);

        var lease = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);

        Assert.NotNull(lease);
        Assert.Equal(1, lease.Epoch);
        Assert.Null(await db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl));
    }

    [Fact]
    public async Task Taking_again_a_lease_one_holds_starts_a_new_hold_at_the_next_epoch_while_renewing_keeps_it()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        var first = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);

        var renewed = await db.Leases.RenewAsync("node-a", ["shard/accounts/1"], Ttl);
        var again = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);

        Assert.Equal(1, first!.Epoch);
        Assert.Equal(1, renewed.Single().Epoch);
        Assert.Equal(2, again!.Epoch);
        Assert.Null(await db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl));
    }

    [Fact]
    public async Task An_expired_lease_goes_to_the_next_node_at_the_next_epoch()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);
        await db.ExpireAsync("shard/accounts/1");

        var taken = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl);

        Assert.Equal(2, taken!.Epoch);
        Assert.Equal("node-b", taken.Owner);
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_releasing_a_stale_lease_changes_nothing()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        var a = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);

        Assert.True(await db.Leases.ReleaseAsync(a!));
        var b = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl);

        Assert.Equal(2, b!.Epoch);
        Assert.False(await db.Leases.ReleaseAsync(a!));
        Assert.Equal("node-b", (await db.Leases.ReadAsync("shard/")).Single().Owner);
    }

    [Fact]
    public async Task Renewal_extends_only_the_named_leases_the_owner_holds_live()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);
        await db.Leases.TryAcquireAsync("shard/accounts/2", "node-a", Ttl);
        await db.Leases.TryAcquireAsync("shard/accounts/3", "node-b", Ttl);
        await db.Leases.TryAcquireAsync("shard/accounts/4", "node-a", TimeSpan.FromMilliseconds(300));
        await db.ExpireAsync("shard/accounts/2");
        var before = (await db.Leases.ReadAsync("shard/accounts/4")).Single().ExpiresAt;

        var renewed = await db.Leases.RenewAsync("node-a", ["shard/accounts/1", "shard/accounts/2", "shard/accounts/3"], Ttl);

        // 2 expired, 3 is another's, 4 is node-a's but not named (it no longer serves it): none of them is renewed.
        Assert.Equal(["shard/accounts/1"], renewed.Select(l => l.Name));
        var rows = await db.Leases.ReadAsync("shard/accounts/");
        Assert.Equal([true, false, true], rows.Take(3).Select(r => r.IsLive));
        Assert.Equal(before, rows[3].ExpiresAt);
    }
}
