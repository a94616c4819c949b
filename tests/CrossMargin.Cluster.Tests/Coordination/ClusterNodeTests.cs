using System.Diagnostics;
using System.Text;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Cluster.Tests.Infrastructure;
using static CrossMargin.Cluster.Tests.Infrastructure.TestNodes;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;

namespace CrossMargin.Cluster.Tests.Coordination;

/// <summary>Several nodes in one process over one database, stepped tick by tick.</summary>
[Collection(UsesPostgres.Name)]
public sealed class ClusterNodeTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Three_nodes_spread_the_shards_evenly_and_one_runs_the_singletons()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var nodes = await cluster.SettledAsync("a", "b", "c");

        AssertEachShardServedOnce(nodes);
        Assert.All(nodes, n => Assert.Equal(4, n.Shards.Count));
        Assert.All(nodes.SelectMany(n => n.Shards.Values), l => Assert.Equal(1, l.Epoch));
        Assert.Single(nodes, n => n.Singletons.ContainsKey("liquidation-coordinator"));
        Assert.Single(cluster.Log.Events, e => e.What == "start" && e.Subject == "liquidation-coordinator");
    }

    /// <summary>
    /// The tick takes a shard's lease, records it, then starts the shard: a database error on the record left the shard
    /// held, renewed and never started (a tick skips what the node holds). It is given up and taken again instead.
    /// </summary>
    [Fact]
    public async Task A_shard_whose_acquisition_could_not_be_recorded_is_given_up_and_taken_again_so_that_it_is_served()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        await cluster.Db.RefuseEventAsync("shard-acquired", "shard 3 epoch 1");
        var a = (await JoinAsync(cluster.Node("a")))[0];

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => a.TickAsync());
        await RoundsAsync(2, a);

        Assert.Equal(ShardCount, a.Shards.Count);
        Assert.Equal([2L], cluster.Log.Events.Where(e => e is { What: "start", Subject: "shard 3" }).Select(e => e.Epoch));
        Assert.Equal(2, a.Shards[3].Epoch);
    }

    [Fact]
    public async Task A_node_logging_in_to_rabbitmq_as_another_user_than_a_live_member_does_not_join_and_the_error_names_both_users()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        // Live for the whole test however loaded the machine (nothing ticks here to refresh a heartbeat).
        var live = LiveHeartbeat;
        await JoinAsync(cluster.Node("a", brokerUser: "cm"));

        var refused = await Assert.ThrowsAsync<BrokerUserMismatchException>(() => cluster.Node("b", brokerUser: "venue").JoinAsync(startLoop: false));

        Assert.Contains("'b' logs in to RabbitMQ as 'venue'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("live member 'a' logs in as 'cm'", refused.Message, StringComparison.Ordinal);
        var members = await cluster.Db.Membership.ReadMembersAsync(live);
        Assert.Equal([("a", "cm")], members.Select(m => (m.NodeId, m.BrokerUser)));

        // The same user joins; so does a node that records none (no broker), which is compared with nothing.
        await JoinAsync(cluster.Node("c", brokerUser: "cm"), cluster.Node("d"));
        members = await cluster.Db.Membership.ReadMembersAsync(live);
        Assert.Equal([("a", "cm"), ("c", "cm"), ("d", null)], members.Select(m => (m.NodeId, m.BrokerUser)));
    }

    [Fact]
    public async Task Only_live_members_users_count_so_a_cluster_stopped_whole_can_change_its_rabbitmq_user()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var (dead, left) = (cluster.Node("a", brokerUser: "old"), cluster.Node("b", brokerUser: "old"));
        await JoinAsync(dead, left);
        await cluster.Db.StaleHeartbeatAsync("a");
        await left.LeaveAsync(TimeSpan.FromSeconds(5));

        await JoinAsync(cluster.Node("c", brokerUser: "new"));

        var members = await cluster.Db.Membership.ReadMembersAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("new", members.Single(m => m.NodeId == "c").BrokerUser);
        Assert.Equal(MemberStatus.Up, members.Single(m => m.NodeId == "c").Status);
    }

    [Fact]
    public async Task A_joining_node_gets_its_share_with_at_most_the_move_limit_in_flight_and_each_shard_stops_before_it_starts_elsewhere()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var nodes = await cluster.SettledAsync("a", "b", "c");
        var d = (await JoinAsync(cluster.Node("d")))[0];
        var all = nodes.Append(d).ToArray();

        for (var round = 0; round < 10; round++)
        {
            await RoundsAsync(1, all);
            var plan = await cluster.Db.Assignments.ReadAsync("accounts");
            var inFlight = plan.Count(p => p.Value == "d" && !d.Shards.ContainsKey(p.Key));
            Assert.True(inFlight <= 2, $"round {round}: {inFlight} moves in flight");
        }

        Assert.All(all, n => Assert.Equal(3, n.Shards.Count));
        AssertEachShardServedOnce(all);
        foreach (var shard in d.Shards.Keys)
        {
            var start = cluster.Log.Events.Single(e => e.Node == "d" && e.Subject == $"shard {shard}" && e.What == "start");
            var stop = cluster.Log.Events.Single(e => e.Node != "d" && e.Subject == $"shard {shard}" && e.What == "stop-HandOff");
            Assert.True(stop.Sequence < start.Sequence, $"shard {shard} started on d before it stopped on {stop.Node}");
            Assert.Equal(2, start.Epoch);
        }
    }

    [Fact]
    public async Task A_graceful_leave_hands_every_shard_off_and_marks_the_node_left()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var nodes = await cluster.SettledAsync("a", "b", "c");
        var leaving = nodes.Single(n => n.Singletons.ContainsKey(ClusterNode.ShardCoordinatorSingleton));
        var staying = nodes.Where(n => n != leaving).ToArray();

        using var others = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            while (!others.IsCancellationRequested)
            {
                await RoundsAsync(1, staying);
                await Task.Delay(20);
            }
        });
        var clean = await leaving.LeaveAsync(TimeSpan.FromSeconds(20));
        // The leaving node gives its singletons up last: the others take them, and the shards it handed off, as they tick.
        await UntilAsync(() => staying.Sum(n => n.Shards.Count) == ShardCount && staying.Any(n => n.Singletons.ContainsKey("liquidation-coordinator")),
            TimeSpan.FromSeconds(20));
        await others.CancelAsync();
        await ticking;
        await RoundsAsync(2, staying);

        Assert.True(clean);
        Assert.Empty(leaving.Shards);
        Assert.Empty(leaving.Singletons);
        Assert.All(staying, n => Assert.Equal(6, n.Shards.Count));
        AssertEachShardServedOnce(staying);
        Assert.Single(staying, n => n.Singletons.ContainsKey("liquidation-coordinator"));
        Assert.DoesNotContain(cluster.Log.Events, e => e.Node == leaving.NodeId && e.What == "stop-Lost");
        var members = await cluster.Db.Membership.ReadMembersAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(MemberStatus.Left, members.Single(m => m.NodeId == leaving.NodeId).Status);
    }

    /// <summary>
    /// The last member leaving has nowhere to hand its shards (the plan keeps them on it): it releases each for whichever
    /// node takes it next, and its record says so, not that it handed the shard off to itself.
    /// </summary>
    [Fact]
    public async Task A_node_leaving_alone_releases_its_shards_for_the_next_node_and_records_that_no_member_took_them_not_a_hand_off_to_itself()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var alone = (await cluster.SettledAsync("a"))[0];

        Assert.True(await alone.LeaveAsync(TimeSpan.FromSeconds(20)));

        var released = (await cluster.Db.Membership.ReadEventsAsync(0, 1000)).Where(e => e.NodeId == "a" && e.Kind == "shard-released").ToArray();
        Assert.Equal(Enumerable.Range(0, ShardCount).Select(shard => $"shard {shard} epoch 1, for whichever node takes it next: no other member takes shards"),
            released.Select(e => e.Detail).OrderBy(d => int.Parse(d.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)));

        // Released, not left to expire (the lease is 30 s): the next node takes every shard at once.
        var next = (await JoinAsync(cluster.Node("b")))[0];
        await RoundsAsync(2, next);
        Assert.Equal(ShardCount, next.Shards.Count);
    }

    [Fact]
    public async Task A_crashed_nodes_shards_are_served_elsewhere_once_its_leases_expire()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var ttl = TimeSpan.FromSeconds(1.5);
        var nodes = await JoinAsync(cluster.Node("a", ttl), cluster.Node("b", ttl), cluster.Node("c", ttl));
        await RoundsAsync(2, nodes);
        var crashed = nodes.Single(n => n.NodeId == "c");
        var survivors = nodes.Where(n => n != crashed).ToArray();
        var orphaned = crashed.Shards.Keys.ToArray();

        // The crashed node simply never ticks again: its heartbeat goes stale (made so at once, not by a timeout the
        // survivors' own heartbeats would have to beat on a loaded machine), and its leases expire by time.
        await cluster.Db.StaleHeartbeatAsync("c");
        var clock = Stopwatch.StartNew();
        while (survivors.Sum(n => n.Shards.Count) < ShardCount && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await RoundsAsync(1, survivors);
            await Task.Delay(100);
        }

        AssertEachShardServedOnce(survivors);
        Assert.True(clock.Elapsed < ttl + TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.All(orphaned, shard => Assert.Equal(2, survivors.Single(n => n.Shards.ContainsKey(shard)).Shards[shard].Epoch));
    }

    [Fact]
    public async Task A_node_frozen_past_its_lease_stops_its_shards_when_it_wakes_and_cannot_write()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        await using var store = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = cluster.Db.ConnectionString }, TimeProvider.System);
        var ttl = TimeSpan.FromSeconds(1.5);
        var nodes = await JoinAsync(cluster.Node("a", ttl), cluster.Node("b", ttl), cluster.Node("c", ttl));
        await RoundsAsync(2, nodes);
        var frozen = nodes.Single(n => n.NodeId == "c");
        var shard = frozen.Shards.Keys.First();
        var staleFence = frozen.FenceFor(shard);
        var others = nodes.Where(n => n != frozen).ToArray();
        await cluster.Db.StaleHeartbeatAsync("c");   // frozen (SIGSTOP): its heartbeat goes stale, its leases expire by time
        var clock = Stopwatch.StartNew();
        while (!others.Any(n => n.Shards.ContainsKey(shard)) && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await RoundsAsync(1, others);
            await Task.Delay(100);
        }

        await frozen.TickAsync();   // wakes up (SIGCONT)

        Assert.Empty(frozen.Shards);
        Assert.Contains(cluster.Log.Events, e => e.Node == "c" && e.What == "stop-Lost" && e.Subject == $"shard {shard}");
        var write = new AtomicWrite("account-1", 1, "c", [new EventData(new SerializedPayload("test.event", 1, Encoding.UTF8.GetBytes("{}")), [])]) { Fence = staleFence };
        Assert.IsType<JournalFencedException>((await store.Journal.WriteMessagesAsync([write]))[0]);
        Assert.Equal(staleFence, frozen.FenceFor(shard));
    }

    [Fact]
    public async Task A_node_an_operator_downs_stops_everything_and_its_shards_move()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var nodes = await cluster.SettledAsync("a", "b", "c");

        await cluster.Db.Membership.SetStatusAsync("c", MemberStatus.Down, "operator: cm cluster down c");
        await RoundsAsync(3, nodes);

        Assert.Empty(nodes[2].Shards);
        Assert.All(nodes.Take(2), n => Assert.Equal(6, n.Shards.Count));
        AssertEachShardServedOnce(nodes);
        var events = await cluster.Db.Membership.ReadEventsAsync(0, 1000);
        Assert.Contains(events, e => e.NodeId == "c" && e.Kind == "down" && e.Detail.Contains("operator", StringComparison.Ordinal));
    }
    private static async Task<List<int>> SelfFencedShardsAsync(ClusterDatabase db) =>
        [.. (await db.Membership.ReadEventsAsync(0, 1000))
            .Where(e => e.NodeId == "a" && e.Kind == "shard-lost" && e.Detail.Contains("self-fenced", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Detail.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))];

    // As the node's own loop does: a tick that throws is logged and the next one runs.
    private static async Task TickSurvivingFailuresAsync(ClusterNode node)
    {
        try
        {
            await node.TickAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException)
        {
        }
    }

    // The epoch under which a node holds "shard N" or a singleton now.
    private static long EpochOf(ClusterNode node, string subject) =>
        subject.StartsWith("shard ", StringComparison.Ordinal)
            ? node.Shards[int.Parse(subject["shard ".Length..], System.Globalization.CultureInfo.InvariantCulture)].Epoch
            : node.Singletons[subject].Epoch;

    [Theory]
    [InlineData("shard 3")]
    [InlineData("liquidation-coordinator")]
    public async Task A_shard_or_singleton_whose_start_failed_is_released_and_started_again_under_a_new_epoch(string subject)
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var host = new FaultyHost("a", cluster.Log);
        host.FailNextStart(subject);
        var a = (await JoinAsync(cluster.Node("a", host: host)))[0];

        for (var round = 0; round < 4; round++)
        {
            await TickSurvivingFailuresAsync(a);
        }

        // The first start threw (no consumer, no coordinator ran); holding the lease without serving would leave it so for
        // as long as the node lives. It must be given up and taken again, and then it starts.
        var starts = cluster.Log.Events.Where(e => e.Subject == subject && e.What.StartsWith("start", StringComparison.Ordinal)).Select(e => (e.What, e.Epoch)).ToArray();
        Assert.Equal([("start-failed", 1L), ("start", 2L)], starts);
        Assert.Equal(2, EpochOf(a, subject));
        Assert.Equal(ShardCount, a.Shards.Count);
        Assert.Equal(Enumerable.Range(0, ShardCount), cluster.Log.Events.Where(e => e.What == "start" && e.Subject.StartsWith("shard ", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Subject["shard ".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order());
    }

    [Fact]
    public async Task A_hand_off_that_takes_longer_than_the_lease_does_not_cost_the_node_its_other_leases()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var ttl = TimeSpan.FromSeconds(1.5);
        var host = new FaultyHost("a", cluster.Log);
        var a = (await JoinAsync(cluster.Node("a", ttl, maxMoves: 1, host: host)))[0];
        await RoundsAsync(2, a);
        Assert.Equal(ShardCount, a.Shards.Count);

        // b joins; a, the coordinator, moves one shard (the highest) to b, and stopping it takes twice the lease's life
        // (a slow drain, within the hand-off timeout).
        host.SlowStop(ShardCount - 1, ttl * 2);
        var b = (await JoinAsync(cluster.Node("b", ttl, maxMoves: 1)))[0];
        await RoundsAsync(1, a, b);    // a plans the move
        await RoundsAsync(1, a, b);    // a hands the shard off, slowly; b takes it
        await RoundsAsync(1, a, b);

        // The shards a kept were never handed off: their leases must still be live and a must still serve them.
        Assert.DoesNotContain(cluster.Log.Events, e => e.Node == "a" && e.What == "stop-Lost");
        // Rebalancing goes on one move per round; every shard a still serves is the one it took at epoch 1.
        AssertEachShardServedOnce(a, b);
        Assert.Contains(ShardCount - 1, b.Shards.Keys);
        Assert.All(a.Shards.Values, l => Assert.Equal(1, l.Epoch));
        Assert.All(b.Shards.Values, l => Assert.Equal(2, l.Epoch));
        Assert.True(a.Singletons.ContainsKey(ClusterNode.ShardCoordinatorSingleton));
        var live = (await cluster.Db.Leases.ReadAsync("shard/accounts/")).Where(l => l.IsLive).ToDictionary(l => l.Name, l => l.Owner);
        Assert.All(a.Shards.Values, l => Assert.Equal("a", live[l.Name]));
    }
    [Theory]
    [InlineData("shard 5")]                    // the broker cancelled the shard's consumer: nobody consumes its queue
    [InlineData("liquidation-coordinator")]    // its coordinator stopped on a failed write
    public async Task A_shard_or_singleton_its_host_no_longer_serves_is_given_up_and_served_again_under_a_new_epoch(string subject)
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var host = new FaultyHost("a", cluster.Log);
        var a = (await JoinAsync(cluster.Node("a", host: host)))[0];
        await RoundsAsync(2, a);

        host.Break(subject);   // the lease is still held and renewed
        await RoundsAsync(3, a);

        var runs = cluster.Log.Events.Where(e => e.Subject == subject).Select(e => (e.What, e.Epoch)).ToArray();
        Assert.Equal([("start", 1L), ("stop-HandOff", 0L), ("start", 2L)], runs);
        Assert.Equal(2, EpochOf(a, subject));
        Assert.Equal(ShardCount, a.Shards.Count);
    }

    [Fact]
    public async Task A_lease_whose_release_failed_is_not_renewed_by_its_old_holder_so_the_shards_new_node_gets_it()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var ttl = TimeSpan.FromSeconds(1.5);
        var host = new FaultyHost("a", cluster.Log);
        // a's statements give up on a row lock after 300 ms, as any statement fails through a database blip.
        await using var aSource = Npgsql.NpgsqlDataSource.Create(cluster.Db.ConnectionString + ";Options=-c lock_timeout=300");
        var a = new ClusterNode(TestNodes.Options("a", ttl, maxMoves: 1),
            new PostgresMembership(aSource), new PostgresLeaseStore(aSource), new PostgresShardAssignments(aSource), host);
        await a.JoinAsync(startLoop: false);
        await RoundsAsync(2, a);
        var b = (await JoinAsync(cluster.Node("b", ttl, maxMoves: 1)))[0];

        // The shard a hands to b: right after it stopped, the lease's row is locked for a while, so a's release fails.
        const int moved = ShardCount - 1;
        var name = LeaseNames.Shard("accounts", moved);
        var unlock = new TaskCompletionSource();
        Task? locker = null;
        host.AfterStop(moved, async () =>
        {
            var locked = new TaskCompletionSource();
            locker = Task.Run(async () =>
            {
                await using var connection = await cluster.Db.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var select = new Npgsql.NpgsqlCommand("SELECT 1 FROM lease WHERE name = $1 FOR UPDATE", connection, transaction))
                {
                    select.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = name });
                    await select.ExecuteNonQueryAsync();
                }

                locked.SetResult();
                await unlock.Task;
                await transaction.CommitAsync();
            });
            await locked.Task;
        });

        await TickSurvivingFailuresAsync(a);    // plans the move and hands the shard off: its release fails
        unlock.SetResult();
        await locker!;
        Assert.DoesNotContain(moved, a.Shards.Keys);

        // a no longer serves the shard: its lease must not outlive it, or b waits for it for as long as a lives.
        var clock = Stopwatch.StartNew();
        while (!b.Shards.ContainsKey(moved) && clock.Elapsed < ttl * 4)
        {
            await TickSurvivingFailuresAsync(a);
            await b.TickAsync();
            await Task.Delay(100);
        }

        var lease = (await cluster.Db.Leases.ReadAsync(name)).Single();
        Assert.True(b.Shards.ContainsKey(moved), $"after {clock.Elapsed} the lease is still {lease.Owner}'s (epoch {lease.Epoch}, live {lease.IsLive})");
    }

    [Fact]
    public async Task A_coordinator_that_lost_its_lease_cannot_write_a_plan_after_the_new_coordinator_wrote_its_own()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var nodes = await cluster.SettledAsync("a", "b", "c");
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        Assert.True(a.Singletons.ContainsKey(ClusterNode.ShardCoordinatorSingleton));
        Assert.All(new[] { a, b, c }, n => Assert.Equal(4, n.Shards.Count));

        // a plans while c looks gone to it (c's heartbeat was stale when a read the members): c's four shards go to a and
        // b. Then a freezes before writing: its leases expire, its heartbeat goes stale.
        var coordinatorLease = a.Singletons[ClusterNode.ShardCoordinatorSingleton];
        var stalePlan = ShardAllocator.Plan(ShardCount, await cluster.Db.Assignments.ReadAsync("accounts"), ["a", "b"], 0, 2);
        Assert.Equal(c.Shards.Keys.Order(), stalePlan.Select(p => p.Key));
        Assert.Contains(stalePlan, p => p.Value == "b");
        foreach (var lease in a.Shards.Values.Concat(a.Singletons.Values))
        {
            await cluster.Db.ExpireAsync(lease.Name);
        }

        await cluster.Db.StaleHeartbeatAsync("a");

        // b takes the coordinator over at the next epoch and gives a's shards to b and c, which take them.
        await RoundsAsync(3, b, c);
        Assert.Equal(2, b.Singletons[ClusterNode.ShardCoordinatorSingleton].Epoch);
        AssertEachShardServedOnce(b, c);
        var plan = await cluster.Db.Assignments.ReadAsync("accounts");
        var before = cluster.Log.Events.Count;

        // a wakes and writes the plan it made under the coordinator's epoch 1. Were it taken, c would hand shards to b
        // that b's own plan left on c (moves nobody planned, beyond the move limit).
        var written = await cluster.Db.Assignments.AssignAsync("accounts", stalePlan, coordinatorLease.ToFence());
        await RoundsAsync(1, b, c);

        Assert.False(written);
        Assert.Equal(plan.OrderBy(p => p.Key), (await cluster.Db.Assignments.ReadAsync("accounts")).OrderBy(p => p.Key));
        Assert.DoesNotContain(cluster.Log.Events.Skip(before), e => e.What == "stop-HandOff");
        AssertEachShardServedOnce(b, c);
    }

    [Fact]
    public async Task A_coordinator_whose_lease_another_node_took_during_its_tick_writes_no_plan_and_gives_the_singleton_up()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var host = new FaultyHost("a", cluster.Log);
        var a = (await JoinAsync(cluster.Node("a", host: host)))[0];
        await RoundsAsync(2, a);
        await JoinAsync(cluster.Node("b"));   // a's next plan moves two shards to b

        // Right after a renewed, b takes the coordinator's lease (a froze past it): a still believes it coordinates.
        host.OnNextServingCheck(() =>
        {
            using var take = cluster.Db.DataSource.CreateCommand(
                "UPDATE lease SET owner = 'b', epoch = epoch + 1, expires_at = clock_timestamp() + interval '1 minute' WHERE name = 'singleton/shard-coordinator'");
            Assert.Equal(1, take.ExecuteNonQuery());
        });
        await a.TickAsync();

        Assert.All((await cluster.Db.Assignments.ReadAsync("accounts")).Values, node => Assert.Equal("a", node));
        Assert.Equal(1, a.RefusedPlanWrites);
        Assert.False(a.Singletons.ContainsKey(ClusterNode.ShardCoordinatorSingleton));
        var events = await cluster.Db.Membership.ReadEventsAsync(0, 1000);
        Assert.Contains(events, e => e.NodeId == "a" && e.Kind == "plan-refused" && e.Detail == "shard-coordinator epoch 1: 2 changes");
        Assert.DoesNotContain(events, e => e.Kind == "shard-assigned" && e.NodeId == "b");
        Assert.Equal(ShardCount, a.Shards.Count);
    }

    [Fact]
    public async Task A_node_restarted_under_the_same_name_takes_its_shards_at_a_new_epoch_so_its_old_incarnation_cannot_write()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        await using var store = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = cluster.Db.ConnectionString }, TimeProvider.System);
        var old = (await JoinAsync(cluster.Node("a")))[0];
        await RoundsAsync(2, old);
        var oldFence = old.FenceFor(3);

        // The old process is frozen, not dead (its leases still live); the orchestrator starts the node again under its name.
        await old.AbandonAsync();
        var restarted = (await JoinAsync(cluster.Node("a")))[0];
        await RoundsAsync(1, restarted);

        Assert.Equal(ShardCount, restarted.Shards.Count);
        Assert.All(restarted.Shards.Values, l => Assert.Equal(2, l.Epoch));
        Assert.All(restarted.Singletons.Values, l => Assert.Equal(2, l.Epoch));
        var byOld = new AtomicWrite("account-1", 1, "a", [new EventData(new SerializedPayload("test.event", 1, Encoding.UTF8.GetBytes("{}")), [])]) { Fence = oldFence };
        Assert.IsType<JournalFencedException>((await store.Journal.WriteMessagesAsync([byOld]))[0]);
        var byRestarted = byOld with { Fence = restarted.FenceFor(3) };
        Assert.Null((await store.Journal.WriteMessagesAsync([byRestarted]))[0]);
    }

    [Fact]
    public async Task A_tick_busy_for_longer_than_the_self_fence_bound_with_calls_that_answer_renews_meanwhile_and_keeps_its_shards()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        // A lease of 3 s, not less: the renewals made meanwhile must each answer within the self-fence bound, which on a
        // loaded machine a 0.6 s bound (a 0.9 s lease) did not always give them.
        var ttl = TimeSpan.FromSeconds(3);
        var host = new FaultyHost("a", cluster.Log);
        // Twelve starts of 200 ms each take 2.4 s in one tick: longer than the self-fence bound (2 s, two thirds of the
        // lease), as a node taking all its shards at start takes.
        host.SlowStarts(TimeSpan.FromMilliseconds(200));
        var a = cluster.Node("a", ttl, host: host);
        await cluster.RunUntilServingAllAsync(a);

        await Task.Delay(ttl);

        Assert.DoesNotContain(cluster.Log.Events, e => e.What == "stop-Lost");
        Assert.Equal(ShardCount, a.Shards.Count);
        Assert.All(a.Shards.Values, l => Assert.Equal(1, l.Epoch));
    }

    [Fact]
    public async Task A_node_whose_database_stops_answering_stops_serving_before_its_leases_can_expire_and_serves_again_at_a_new_epoch()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var ttl = TimeSpan.FromSeconds(3);
        var host = new FaultyHost("a", cluster.Log);
        // When each shard stopped, taken in the stop itself; compared with its lease's expiry (the database's clock, the
        // same machine's) once all have stopped. Reading the lease inside the stop, as this test did, put twelve reads on
        // a loaded database into the self-fence's own path, one after each stop, and then timed the read, not the stop.
        var stoppedAt = new System.Collections.Concurrent.ConcurrentDictionary<int, DateTimeOffset>();
        for (var shard = 0; shard < ShardCount; shard++)
        {
            var id = shard;
            host.AfterStop(id, () =>
            {
                stoppedAt[id] = TimeProvider.System.GetUtcNow();
                return Task.CompletedTask;
            });
        }

        var a = cluster.Node("a", ttl, host: host);
        await cluster.RunUntilServingAllAsync(a);

        Assert.Equal(ShardCount, a.Shards.Count);

        // PostgreSQL stops answering a's heartbeat: the statement waits on a lock, neither failing nor returning.
        await using var hung = await TableLock.TakeAsync(cluster.Db.DataSource, "cluster_member");

        var waited = await UntilAsync(() => stoppedAt.Count == ShardCount, ttl * 3);

        Assert.True(stoppedAt.Count == ShardCount, $"after {waited} a stopped {stoppedAt.Count} of its {ShardCount} shards");
        // Nothing renews them now (a renewal heartbeats first, and that waits on the lock): these are the expiries they stopped before.
        var leases = (await cluster.Db.Leases.ReadAsync(LeaseNames.ShardPrefix("accounts"))).ToDictionary(l => l.Name, StringComparer.Ordinal);
        Assert.All(stoppedAt, s =>
        {
            var lease = leases[LeaseNames.Shard("accounts", s.Key)];
            Assert.True(lease.Owner == "a" && s.Value < lease.ExpiresAt, $"shard {s.Key} was stopped at {s.Value:O}, its lease ({lease.Owner}'s) expired at {lease.ExpiresAt:O}");
        });
        Assert.Empty(a.Shards);
        Assert.All(Enumerable.Range(0, ShardCount), s => Assert.Contains(cluster.Log.Events, e => e.What == "stop-Lost" && e.Subject == $"shard {s}"));
        // The cluster's event log says so too (its table still answers; only the members' is locked), as for a lease
        // found lost at a renewal: an operator reading it sees the self-fence beside the take-over it made way for.
        var recorded = await SelfFencedShardsAsync(cluster.Db);
        for (var look = 0; recorded.Count < ShardCount && look < 50; look++)
        {
            await Task.Delay(100);
            recorded = await SelfFencedShardsAsync(cluster.Db);
        }

        Assert.Equal(Enumerable.Range(0, ShardCount), recorded.Order());

        // Answered again, the node takes its shards back, at a new epoch whatever the stuck work still holds.
        await hung.ReleaseAsync();
        await UntilAsync(() => a.Shards.Count == ShardCount, TimeSpan.FromSeconds(10));

        Assert.Equal(ShardCount, a.Shards.Count);
        Assert.All(a.Shards.Values, l => Assert.Equal(2, l.Epoch));
    }

    [Fact]
    public async Task A_stop_that_throws_while_the_node_self_fences_neither_leaves_its_other_shards_running_nor_ends_its_loop()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        var ttl = TimeSpan.FromSeconds(3);
        var host = new FaultyHost("a", cluster.Log);
        host.FailNextStop(0);
        var a = cluster.Node("a", ttl, host: host);
        await cluster.RunUntilServingAllAsync(a);
        Assert.Equal(ShardCount, a.Shards.Count);

        // PostgreSQL stops answering (as above); the node self-fences, and the host cannot stop shard 0.
        await using var hung = await TableLock.TakeAsync(cluster.Db.DataSource, "cluster_member");

        var waited = await UntilAsync(() => a.Shards.Count == 0 && a.Singletons.Count == 0, ttl * 3);

        Assert.True(a.Shards.Count == 0, $"after {waited} a still serves shards {string.Join(", ", a.Shards.Keys)}");
        Assert.Contains(cluster.Log.Events, e => e.What == "stop-failed" && e.Subject == "shard 0");
        Assert.All(Enumerable.Range(1, ShardCount - 1), s => Assert.Contains(cluster.Log.Events, e => e.What == "stop-Lost" && e.Subject == $"shard {s}"));
        Assert.Contains(cluster.Log.Events, e => e.What == "stop-Lost" && e.Subject == "liquidation-coordinator");

        // The loop goes on: answered again, the node serves its shards again.
        await hung.ReleaseAsync();
        await UntilAsync(() => a.Shards.Count == ShardCount, TimeSpan.FromSeconds(10));
        Assert.Equal(ShardCount, a.Shards.Count);
    }
}
