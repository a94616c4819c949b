using System.Diagnostics;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Cluster.Coordination;

/// <summary>
/// One node's part in the cluster. Each tick it heartbeats, renews its leases (a lease it could not renew is lost:
/// its shard stops at once), runs the shard coordinator if it holds that singleton, then converges to the plan:
/// hands off shards assigned elsewhere (stop, then release, so the next holder can take the lease at the next epoch)
/// and takes the shards assigned to it whose lease is free. Ticks run one at a time; <see cref="TickAsync"/> is public
/// so tests can step a cluster deterministically.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>The singleton that plans where shards live.</summary>
    public const string ShardCoordinatorSingleton = "shard-coordinator";

    private readonly ClusterNodeOptions _options;
    private readonly PostgresMembership _membership;
    private readonly PostgresLeaseStore _leases;
    private readonly PostgresShardAssignments _assignments;
    private readonly IClusterHost _host;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _tickLock = new(1, 1);
    private readonly Dictionary<int, Lease> _shards = [];
    private readonly Dictionary<string, Lease> _singletons = new(StringComparer.Ordinal);
    private readonly Dictionary<int, WriteFence> _fences = [];
    private readonly object _fenceLock = new();
    // The host's side of each shard ("shard 3") and singleton: what it was told to start and not yet to stop, and the
    // last call made on each. A self-fence runs beside the tick it cancelled, so both can reach the host at once: a stop
    // waits for the call in progress on its subject, one already stopping is not stopped again, and nothing starts once
    // the fence has read what the node holds (_fenced).
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _hostCalls = new(StringComparer.Ordinal);
    // Set by a self-fence as it reads what the node holds, until the next tick: the tick it ran beside may not take a
    // lease or start anything any more.
    private bool _fenced;
    private readonly CancellationTokenSource _stopping = new();
    private long _lastRenewal = Stopwatch.GetTimestamp();
    private long _refusedPlanWrites;
    private Task? _loop;
    private bool _leaving;

    /// <summary>Creates the node; nothing happens until <see cref="JoinAsync"/>.</summary>
    public ClusterNode(
        ClusterNodeOptions options, PostgresMembership membership, PostgresLeaseStore leases, PostgresShardAssignments assignments, IClusterHost host, ILogger<ClusterNode>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ClusterNodeOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _options = options;
        _membership = membership ?? throw new ArgumentNullException(nameof(membership));
        _leases = leases ?? throw new ArgumentNullException(nameof(leases));
        _assignments = assignments ?? throw new ArgumentNullException(nameof(assignments));
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>This node's name.</summary>
    public string NodeId => _options.NodeId;

    /// <summary>The shards this node serves now, with their leases.</summary>
    public IReadOnlyDictionary<int, Lease> Shards
    {
        get
        {
            lock (_fenceLock)
            {
                return new Dictionary<int, Lease>(_shards);
            }
        }
    }

    /// <summary>The singletons this node runs now, with their leases.</summary>
    public IReadOnlyDictionary<string, Lease> Singletons
    {
        get
        {
            lock (_fenceLock)
            {
                return new Dictionary<string, Lease>(_singletons, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// How many plans this node's shard coordinator wrote after it had lost the coordinator's lease, which the
    /// plan's fence refused (each also logged and recorded as <c>plan-refused</c>).
    /// </summary>
    public long RefusedPlanWrites => Interlocked.Read(ref _refusedPlanWrites);

    /// <summary>
    /// The fence for writes of shard <paramref name="shardId"/>'s entities: the lease this node holds or last held,
    /// so a write after the lease was lost carries the old epoch and is refused by the journal, never unfenced.
    /// </summary>
    /// <exception cref="InvalidOperationException">This node never held the shard.</exception>
    public WriteFence FenceFor(int shardId)
    {
        lock (_fenceLock)
        {
            return _fences.TryGetValue(shardId, out var fence)
                ? fence
                : throw new InvalidOperationException($"Node '{NodeId}' never held shard {shardId} of region '{_options.Region}'.");
        }
    }

    /// <summary>Records this node as up (refused while a live member uses another RabbitMQ user, <see cref="ClusterNodeOptions.BrokerUser"/>) and, unless <paramref name="startLoop"/> is false (tests step it), starts ticking.</summary>
    public async Task JoinAsync(bool startLoop = true, CancellationToken cancellationToken = default)
    {
        await _membership.JoinAsync(_options.NodeId, _options.HttpAddress, _options.Roles.ToArray(), _options.Version, _options.BrokerUser,
            _options.HeartbeatTimeout, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Node {Node} joined the cluster (region {Region}, {Shards} shards)", NodeId, _options.Region, _options.ShardCount);
        if (startLoop)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }
    }

    /// <summary>One round: heartbeat, renew, coordinate, converge.</summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        await _tickLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await TickOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _tickLock.Release();
        }
    }

    /// <summary>
    /// Leaves gracefully: marks the node leaving so the coordinator moves its shards, hands each one off, then marks it
    /// left and gives up its singletons. Returns when nothing is held any more or <paramref name="timeout"/> passed.
    /// </summary>
    /// <returns>True when every shard was handed off in time.</returns>
    public async Task<bool> LeaveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        _leaving = true;
        await _membership.SetStatusAsync(NodeId, MemberStatus.Leaving, "graceful leave", cancellationToken).ConfigureAwait(false);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Shards.Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            if (_loop is null)
            {
                await TickAsync(cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(_loop is null ? TimeSpan.FromMilliseconds(50) : _options.TickInterval / 2, cancellationToken).ConfigureAwait(false);
        }

        var clean = Shards.Count == 0;
        await StopLoopAsync().ConfigureAwait(false);
        await StopEverythingAsync(StopReason.Shutdown, release: true, cancellationToken).ConfigureAwait(false);
        await _membership.SetStatusAsync(NodeId, MemberStatus.Left, clean ? "left after handing off its shards" : "left with shards still held (hand-off timed out)", cancellationToken).ConfigureAwait(false);
        return clean;
    }

    /// <summary>Stops ticking without releasing anything, as a crash would (its leases then expire). For tests and abrupt shutdown.</summary>
    public Task AbandonAsync() => StopLoopAsync();

    /// <summary>Stops ticking and stops everything held, releasing the leases.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        try
        {
            await StopEverythingAsync(StopReason.Shutdown, release: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Node {Node} could not release its leases on shutdown; they will expire", NodeId);
        }

        _stopping.Dispose();
        _tickLock.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
            _loop = null;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.TickInterval);
        do
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await WatchAsync(TickAsync(tick.Token), tick, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning(e, "Cluster tick of node {Node} failed", NodeId);
                await SelfFenceIfOverdueAsync().ConfigureAwait(false);
            }
        }
        while (await WaitAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // How long after its last successful renewal's request a node stops serving: a third of the lease before the
    // database can let it go (at least one TickInterval, as LeaseTtl is at least three), so the node has stopped
    // consuming and answering before another node can take its shards, not after.
    private TimeSpan SelfFenceAfter => _options.LeaseTtl - _options.LeaseTtl / 3;

    private bool IsOverdue => !LeasesCurrent && (Shards.Count > 0 || Singletons.Count > 0);

    /// <summary>
    /// Whether the node's last successful renewal (timed from its request) is younger than the self-fence point, a third
    /// of a lease before the database can let its leases go. False on a node thawed from a freeze past that point until it
    /// renews again or its self-fence stops what it holds: what it answers from memory meanwhile may be stale.
    /// </summary>
    public bool LeasesCurrent => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRenewal)) < SelfFenceAfter;

    // A tick that hangs without failing (PostgreSQL answering nothing: a statement waits on a lock, a connection that
    // never answers) renews nothing and would not end before its command times out (30 s by default), long after the
    // node's leases expired and other nodes took its shards, which it would go on consuming and answering. So the loop
    // watches its tick. Once the tick has run for a TickInterval the watcher renews in its stead every TickInterval, one
    // renewal at a time: a tick busy with many calls that each answer (a node taking all its shards at start, one short
    // start after another) is not a node cut off. Once the node is overdue all the same (those renewals fail or hang
    // too) the watcher cancels the tick and stops everything at once, beside the tick, not after it: the tick's
    // statements are cancelled through the very database that answers nothing (cut off by a partition, Npgsql waits for
    // the cancellation for seconds, past the lease's expiry), so waiting for the tick to unwind kept the node serving
    // its shards after another node could take them. What the tick still does meanwhile is kept from the host: a start
    // under way is stopped once it returns, nothing starts after the fence, nothing stops twice.
    private async Task WatchAsync(Task tick, CancellationTokenSource cancelTick, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        var renewal = Task.CompletedTask;
        while (!tick.IsCompleted && !stopping.IsCancellationRequested)
        {
            if (IsOverdue)
            {
                _logger.LogError("Node {Node} has not renewed its leases for {Elapsed} and its tick is still waiting; cancelling the tick and stopping everything it served",
                    NodeId, Stopwatch.GetElapsedTime(_lastRenewal));
                // The tick's cancellation runs Npgsql's cancellation requests, which block their thread on the database
                // that answers nothing: on a thread of their own, not the pool the stops continue on, and awaited last.
                var cancelling = Task.Factory.StartNew(() => CancelQuietly(cancelTick), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                await SelfFenceIfOverdueAsync().ConfigureAwait(false);
                await cancelling.ConfigureAwait(false);
                break;
            }

            if (renewal.IsCompleted && Stopwatch.GetElapsedTime(started) >= _options.TickInterval && Stopwatch.GetElapsedTime(_lastRenewal) >= _options.TickInterval)
            {
                renewal = KeepAliveQuietlyAsync(cancelTick.Token);
            }

            var left = SelfFenceAfter - Stopwatch.GetElapsedTime(_lastRenewal);
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            await Task.WhenAny(tick, Task.Delay(left > TimeSpan.Zero && left < _options.TickInterval ? left : _options.TickInterval, pause.Token)).ConfigureAwait(false);
            await pause.CancelAsync().ConfigureAwait(false);
        }

        await tick.ConfigureAwait(false);
    }

    // Cut off from the database (a tick failed, or hung and was cancelled) for most of a lease's life, the node must
    // assume every lease about to go: another node may soon serve its shards. The journal would refuse its writes
    // anyway; stopping keeps it from consuming and answering reads. Nothing is renewed while it stops: it gave up.
    private async Task SelfFenceIfOverdueAsync()
    {
        if (!IsOverdue)
        {
            return;
        }

        var overdue = Stopwatch.GetElapsedTime(_lastRenewal);
        _logger.LogError("Node {Node} could not renew its leases for {Elapsed}; stopping everything it served", NodeId, overdue);
        Dictionary<int, Lease> shards;
        Dictionary<string, Lease> singletons;
        lock (_fenceLock)
        {
            // With what it holds read under the same lock: a start the tick registered before is stopped once it returns,
            // one it tries after is refused (StartOnHostAsync).
            _fenced = true;
            (shards, singletons) = (new(_shards), new(_singletons, StringComparer.Ordinal));
        }

        var lost = shards.Select(s => ("shard-lost", $"shard {s.Key} epoch {s.Value.Epoch}: self-fenced, no renewal for {overdue.TotalSeconds:0.0} s"))
            .Concat(singletons.Select(s => ("singleton-lost", $"{s.Key} epoch {s.Value.Epoch}: self-fenced, no renewal for {overdue.TotalSeconds:0.0} s")))
            .ToList();
        // All at once, not one drain after another (each may wait its hand-off timeout), and each on its own: a stop that
        // throws must not leave the rest consuming (their queues are single-active-consumer, so the shards' next owners
        // would receive nothing) nor end the loop that takes them again.
        await Task.WhenAll([
            .. shards.Keys.Select(shard => StopFencedAsync($"shard {shard}", () => StopShardAsync(shard, StopReason.Lost, CancellationToken.None, keepAlive: false), () => RemoveShard(shard))),
            .. singletons.Keys.Select(name => StopFencedAsync(name, () => StopSingletonAsync(name, StopReason.Lost, CancellationToken.None, keepAlive: false), () => RemoveSingleton(name))),
        ]).ConfigureAwait(false);
        await RecordQuietlyAsync(lost).ConfigureAwait(false);
    }

    private void CancelQuietly(CancellationTokenSource tick)
    {
        try
        {
            tick.Cancel();
        }
#pragma warning disable CA1031 // A cancellation callback's failure is the cancelled statement's concern; the fence goes on.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            _logger.LogWarning(e, "Cancelling the tick of node {Node} failed", NodeId);
        }
    }

    private async Task StopFencedAsync(string subject, Func<Task> stop, Action forget)
    {
        try
        {
            await stop().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Node {Node} could not stop {Subject} as it self-fenced; forgetting it (its lease expires, its writes are fenced)", NodeId, subject);
        }

        forget();
    }

    // The cluster's event log says what the node gave up, as a lease found lost at a renewal does, so an operator sees a
    // self-fence beside the take-over it made way for. In one statement, and only if the database answers within a third
    // of a lease: the node is cut off from it as likely as not (a frozen node thawed finds it well; an outage does not),
    // and the loop that takes shards again must not wait on it for long.
    private async Task RecordQuietlyAsync(IReadOnlyList<(string Kind, string Detail)> events)
    {
        using var bounded = new CancellationTokenSource(_options.LeaseTtl / 3);
        try
        {
            await _membership.RecordAsync(NodeId, events, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning("Node {Node} could not record what it gave up as it self-fenced ({Problem}); its log says it", NodeId, e.Message);
        }
    }

    private async Task TickOnceAsync(CancellationToken cancellationToken)
    {
        lock (_fenceLock)
        {
            _fenced = false;
        }

        var status = await _membership.HeartbeatAsync(NodeId, cancellationToken).ConfigureAwait(false);
        if (status is null or MemberStatus.Down or MemberStatus.Left && !_leaving)
        {
            _logger.LogError("Node {Node} is recorded as {Status}; it stops serving", NodeId, status?.ToString() ?? "not a member");
            await StopEverythingAsync(StopReason.Lost, release: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Leaving can be asked of any node (cm cluster leave NODE): its row says so before it knows.
        _leaving |= status == MemberStatus.Leaving;
        await RenewAsync(cancellationToken).ConfigureAwait(false);
        await GiveUpUnservedAsync(cancellationToken).ConfigureAwait(false);
        var serving = status == MemberStatus.Up && !_leaving;
        if (_options.Roles.Contains(ClusterNodeOptions.CoordinatorRole, StringComparer.Ordinal))
        {
            await RunSingletonsAsync(serving, cancellationToken).ConfigureAwait(false);
        }

        if (Singletons.TryGetValue(ShardCoordinatorSingleton, out var coordinator))
        {
            await CoordinateAsync(coordinator, cancellationToken).ConfigureAwait(false);
        }

        await ConvergeAsync(serving && _options.Roles.Contains(ClusterNodeOptions.ShardsRole, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        // Timed from before the request: the database starts the new lifetime when it runs the statement, not when the
        // answer arrives, so a slow answer must not let the node believe its leases outlive the database's view.
        var asked = Stopwatch.GetTimestamp();
        var renewed = (await _leases.RenewAsync(NodeId, HeldLeaseNames(), _options.LeaseTtl, cancellationToken).ConfigureAwait(false))
            .ToDictionary(l => l.Name, StringComparer.Ordinal);
        Volatile.Write(ref _lastRenewal, asked);
        Refresh(renewed.Values);
        foreach (var (shard, lease) in Shards)
        {
            if (renewed.TryGetValue(lease.Name, out var current) && current.Epoch == lease.Epoch)
            {
                continue;
            }

            _logger.LogError("Node {Node} lost the lease of shard {Shard} (epoch {Epoch}); stopping it", NodeId, shard, lease.Epoch);
            RemoveShard(shard);
            await StopShardAsync(shard, StopReason.Lost, cancellationToken).ConfigureAwait(false);
            await _membership.RecordAsync(NodeId, "shard-lost", $"shard {shard} epoch {lease.Epoch}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, lease) in Singletons)
        {
            if (renewed.TryGetValue(lease.Name, out var current) && current.Epoch == lease.Epoch)
            {
                continue;
            }

            _logger.LogError("Node {Node} lost the lease of singleton {Singleton}; stopping it", NodeId, name);
            RemoveSingleton(name);
            await StopSingletonAsync(name, StopReason.Lost, cancellationToken).ConfigureAwait(false);
            await _membership.RecordAsync(NodeId, "singleton-lost", $"{name} epoch {lease.Epoch}", cancellationToken).ConfigureAwait(false);
        }
    }

    // A shard whose consumer the broker cancelled, or a singleton whose actors stopped on a failed write, is still held
    // and renewed, and no tick would start it again: nobody would consume the queue or liquidate until the node restarts.
    // Given up like a hand-off, it is taken again at a new epoch (here or, for a singleton, on any coordinator node).
    // So is a shard taken whose start was never reached (the tick failed between the lease and the start, e.g. on the
    // record of its acquisition): the host cannot tell it from one it serves, having never heard of it.
    private async Task GiveUpUnservedAsync(CancellationToken cancellationToken)
    {
        foreach (var (shard, lease) in Shards)
        {
            if (_host.IsServingShard(shard) && WasStarted($"shard {shard}"))
            {
                continue;
            }

            _logger.LogError("Node {Node} no longer serves shard {Shard} (epoch {Epoch}); giving it up to be taken again", NodeId, shard, lease.Epoch);
            await GiveUpShardAsync(shard, lease, "shard-unserved", "", cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, lease) in Singletons)
        {
            if (name == ShardCoordinatorSingleton || _host.IsRunningSingleton(name))
            {
                continue;
            }

            _logger.LogError("Node {Node} no longer runs singleton {Singleton} (epoch {Epoch}); giving it up to be taken again", NodeId, name, lease.Epoch);
            await GiveUpSingletonAsync(name, lease, "singleton-unserved", "", cancellationToken).ConfigureAwait(false);
        }
    }

    // Any node with the coordinator role may hold a singleton; whoever takes a free lease first runs it until it
    // dies, leaves or loses the lease. A leaving node gives its singletons up only after its shards are gone, so the
    // shard coordinator is still there to move them.
    private async Task RunSingletonsAsync(bool serving, CancellationToken cancellationToken)
    {
        foreach (var name in _options.Singletons.Prepend(ShardCoordinatorSingleton))
        {
            if (Singletons.ContainsKey(name) || !serving)
            {
                continue;
            }

            var lease = await _leases.TryAcquireAsync(LeaseNames.Singleton(name), NodeId, _options.LeaseTtl, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }

            SetSingleton(name, lease, cancellationToken);
            _logger.LogInformation("Node {Node} runs singleton {Singleton} (epoch {Epoch})", NodeId, name, lease.Epoch);
            await _membership.RecordAsync(NodeId, "singleton-acquired", $"{name} epoch {lease.Epoch}", cancellationToken).ConfigureAwait(false);
            if (name == ShardCoordinatorSingleton)
            {
                continue;
            }

            try
            {
                await KeepAliveWhileAsync(StartOnHostAsync(name, () => _host.StartSingletonAsync(name, lease, cancellationToken), cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (IsStartFailure(e, cancellationToken))
            {
                // Held but not running, nothing would ever run it (a tick skips what the node holds): give it up, so this
                // node or another takes it again at a new epoch, whose fence refuses whatever the failed start left behind.
                _logger.LogError(e, "Node {Node} could not start singleton {Singleton} (epoch {Epoch}); releasing it to be taken again", NodeId, name, lease.Epoch);
                await GiveUpSingletonAsync(name, lease, "singleton-start-failed", $": {e.Message}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CoordinateAsync(Lease coordinator, CancellationToken cancellationToken)
    {
        var members = await _membership.ReadMembersAsync(_options.HeartbeatTimeout, cancellationToken).ConfigureAwait(false);
        var serving = members.Where(m => m.IsServing && m.HasRole(ClusterNodeOptions.ShardsRole)).Select(m => m.NodeId).ToArray();
        var plan = await _assignments.ReadAsync(_options.Region, cancellationToken).ConfigureAwait(false);
        var holders = (await _leases.ReadAsync(LeaseNames.ShardPrefix(_options.Region), cancellationToken).ConfigureAwait(false))
            .Where(l => l.IsLive)
            .ToDictionary(l => LeaseNames.ShardIdOf(_options.Region, l.Name), l => l.Owner!);
        var movesInFlight = plan.Count(p => serving.Contains(p.Value, StringComparer.Ordinal) && holders.TryGetValue(p.Key, out var holder) && holder != p.Value
            || serving.Contains(p.Value, StringComparer.Ordinal) && !holders.ContainsKey(p.Key));
        var changes = ShardAllocator.Plan(_options.ShardCount, plan, serving, movesInFlight, _options.MaxConcurrentMoves);
        if (changes.Count == 0)
        {
            return;
        }

        // Fenced by the coordinator's epoch: frozen between its renewal and this write, the node may have lost the
        // singleton, and a plan made from what it read before would overwrite its successor's (moves nobody planned).
        if (!await _assignments.AssignAsync(_options.Region, changes, coordinator.ToFence(), cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _refusedPlanWrites);
            _logger.LogError("Node {Node} no longer holds the shard coordinator's lease (epoch {Epoch}); its plan of {Changes} changes was refused",
                NodeId, coordinator.Epoch, changes.Count);
            RemoveSingleton(ShardCoordinatorSingleton);
            await _membership.RecordAsync(NodeId, "plan-refused", $"{ShardCoordinatorSingleton} epoch {coordinator.Epoch}: {changes.Count} changes", cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        foreach (var group in changes.GroupBy(c => c.Value, StringComparer.Ordinal))
        {
            var shards = string.Join(", ", group.Select(c => c.Key));
            _logger.LogInformation("Shard coordinator on {Node} assigns shards {Shards} to {Target}", NodeId, shards, group.Key);
            await _membership.RecordAsync(group.Key, "shard-assigned", $"shards {shards} by coordinator {NodeId}", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ConvergeAsync(bool takeShards, CancellationToken cancellationToken)
    {
        var plan = await _assignments.ReadAsync(_options.Region, cancellationToken).ConfigureAwait(false);
        foreach (var (shard, lease) in Shards)
        {
            if (plan.TryGetValue(shard, out var target) && target == NodeId && takeShards)
            {
                continue;
            }

            await HandOffAsync(shard, lease, target, cancellationToken).ConfigureAwait(false);
        }

        if (!takeShards)
        {
            if (Shards.Count == 0 && _leaving)
            {
                await ReleaseSingletonsAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        foreach (var shard in plan.Where(p => p.Value == NodeId).Select(p => p.Key).Order())
        {
            if (Shards.ContainsKey(shard))
            {
                continue;
            }

            var lease = await _leases.TryAcquireAsync(LeaseNames.Shard(_options.Region, shard), NodeId, _options.LeaseTtl, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;   // the previous holder is still handing it off, or has not expired yet
            }

            SetShard(shard, lease, cancellationToken);
            _logger.LogInformation("Node {Node} took shard {Shard} at epoch {Epoch}", NodeId, shard, lease.Epoch);
            await _membership.RecordAsync(NodeId, "shard-acquired", $"shard {shard} epoch {lease.Epoch}", cancellationToken).ConfigureAwait(false);
            try
            {
                await KeepAliveWhileAsync(StartOnHostAsync($"shard {shard}", () => _host.StartShardAsync(shard, lease, cancellationToken), cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (IsStartFailure(e, cancellationToken))
            {
                // Held but not served (no consumer, or one whose accounts did not wake), nothing would ever start it again:
                // a tick skips the shards the node holds. Undo what started, give the lease up and take it next tick at a new
                // epoch, whose fence refuses whatever the failed start left behind.
                _logger.LogError(e, "Node {Node} could not start shard {Shard} (epoch {Epoch}); releasing it to be taken again", NodeId, shard, lease.Epoch);
                await GiveUpShardAsync(shard, lease, "shard-start-failed", $": {e.Message}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A start cancelled with its tick, or refused because the node self-fenced meanwhile, failed nothing.
    private bool IsStartFailure(Exception e, CancellationToken cancellationToken) =>
        e is not OutOfMemoryException && !(e is OperationCanceledException && (cancellationToken.IsCancellationRequested || Volatile.Read(ref _fenced)));

    // The plan still names this node when no other member takes shards (the coordinator moves nothing while none serves):
    // the last member leaving. There is nobody to hand to; the shard is released all the same (stopped, its lease given up
    // at once rather than left to expire), so whichever node takes it next gets it without waiting a lease out, and the
    // log and the record say that, not a hand-off to itself.
    private async Task HandOffAsync(int shard, Lease lease, string? target, CancellationToken cancellationToken)
    {
        if (target == NodeId)
        {
            _logger.LogInformation("Node {Node} releases shard {Shard} for whichever node takes it next: no other member takes shards", NodeId, shard);
            await GiveUpShardAsync(shard, lease, "shard-released", ", for whichever node takes it next: no other member takes shards", cancellationToken).ConfigureAwait(false);
            return;
        }

        _logger.LogInformation("Node {Node} hands shard {Shard} off to {Target}", NodeId, shard, target ?? "(unassigned)");
        await GiveUpShardAsync(shard, lease, "shard-released", $" to {target ?? "(unassigned)"}", cancellationToken).ConfigureAwait(false);
    }

    // Stopped while still held, and renewed meanwhile (KeepAliveWhileAsync renews what the node holds), so what the stop
    // finishes is written under a live lease; only then forgotten, released and recorded.
    private async Task GiveUpShardAsync(int shard, Lease lease, string kind, string detail, CancellationToken cancellationToken)
    {
        await StopShardAsync(shard, StopReason.HandOff, cancellationToken).ConfigureAwait(false);
        RemoveShard(shard);
        await _leases.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
        await _membership.RecordAsync(NodeId, kind, $"shard {shard} epoch {lease.Epoch}{detail}", cancellationToken).ConfigureAwait(false);
    }

    private async Task GiveUpSingletonAsync(string name, Lease lease, string kind, string detail, CancellationToken cancellationToken)
    {
        await StopSingletonAsync(name, StopReason.HandOff, cancellationToken).ConfigureAwait(false);
        RemoveSingleton(name);
        await _leases.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
        await _membership.RecordAsync(NodeId, kind, $"{name} epoch {lease.Epoch}{detail}", cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseSingletonsAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, lease) in Singletons)
        {
            await GiveUpSingletonAsync(name, lease, "singleton-released", "", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopEverythingAsync(StopReason reason, bool release, CancellationToken cancellationToken)
    {
        // Each stopped before it is forgotten, so it is renewed while it stops (a shutdown's writes land under a live lease).
        foreach (var (shard, lease) in Shards)
        {
            await StopShardAsync(shard, reason, cancellationToken).ConfigureAwait(false);
            RemoveShard(shard);
            if (release)
            {
                await _leases.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (name, lease) in Singletons)
        {
            await StopSingletonAsync(name, reason, cancellationToken).ConfigureAwait(false);
            RemoveSingleton(name);
            if (release)
            {
                await _leases.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A hand-off that overruns its timeout is abandoned, not waited on: the lease is released anyway, and whatever
    // the stuck shard still tries to write is refused by the journal's fence once the next holder takes the lease.
    private Task StopShardAsync(int shard, StopReason reason, CancellationToken cancellationToken, bool keepAlive = true) =>
        StopOnHostAsync($"shard {shard}", timeout => _host.StopShardAsync(shard, reason, timeout), keepAlive, cancellationToken);

    private Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken, bool keepAlive = true) =>
        name == ShardCoordinatorSingleton
            ? Task.CompletedTask
            : StopOnHostAsync(name, timeout => _host.StopSingletonAsync(name, reason, timeout), keepAlive, cancellationToken);

    private bool WasStarted(string subject)
    {
        lock (_fenceLock)
        {
            return _started.Contains(subject);
        }
    }

    // Registered under the fence's lock, which a self-fence holds as it reads what the node holds: a start either
    // registered first, and the fence stops it once it returns, or finds the tick fenced and never reaches the host.
    private async Task StartOnHostAsync(string subject, Func<Task> start, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_fenceLock)
        {
            ThrowIfFenced(cancellationToken);
            _started.Add(subject);
            _hostCalls[subject] = done.Task;
        }

        try
        {
            await start().ConfigureAwait(false);
        }
        finally
        {
            done.SetResult();
        }
    }

    // Stops what was started and not stopped yet, once the call in progress on it returned (a start the cancelled tick
    // still has under way: the host's calls for one subject never overlap); one already stopping is waited for, not
    // stopped again. Each call is bounded by the hand-off timeout: a start that overran it is stopped all the same.
    private async Task StopOnHostAsync(string subject, Func<CancellationToken, Task> stop, bool keepAlive, CancellationToken cancellationToken)
    {
        Task previous;
        TaskCompletionSource? done = null;
        lock (_fenceLock)
        {
            previous = _hostCalls.GetValueOrDefault(subject) ?? Task.CompletedTask;
            if (_started.Remove(subject))
            {
                done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _hostCalls[subject] = done.Task;
            }
        }

        try
        {
            if (!await WaitBoundedAsync(previous).ConfigureAwait(false))
            {
                _logger.LogWarning("The call under way on {Subject} on {Node} overran the hand-off timeout {Timeout}; going on without it", subject, NodeId, _options.HandOffTimeout);
            }

            if (done is null)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(_options.HandOffTimeout);
            var call = stop(timeout.Token).WaitAsync(timeout.Token);
            if (!await WaitBoundedAsync(keepAlive ? KeepAliveWhileAsync(call, cancellationToken) : call, timeout).ConfigureAwait(false))
            {
                _logger.LogWarning("Stopping {Subject} on {Node} overran the hand-off timeout {Timeout}; going on without it", subject, NodeId, _options.HandOffTimeout);
            }
        }
        finally
        {
            done?.SetResult();
        }
    }

    // False when the hand-off timeout passed first.
    private async Task<bool> WaitBoundedAsync(Task call, CancellationTokenSource? timeout = null)
    {
        using var own = timeout is null ? new CancellationTokenSource(_options.HandOffTimeout) : null;
        var bound = (timeout ?? own)!;
        try
        {
            await call.WaitAsync(bound.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return false;
        }
    }

    // A host call can outlast a lease (a shard's drain up to HandOffTimeout, a singleton's recovery, a shard's accounts
    // waking from the journal), and the tick renews nothing while it waits: one slow hand-off would let every other lease
    // of the node expire and its heartbeat go stale, and another node would take over everything it serves. So while
    // the call runs the node keeps heartbeating and renewing every TickInterval. Losses are left to the next tick's
    // renewal, which stops what was lost (stopping here would overlap the call in progress).
    private async Task KeepAliveWhileAsync(Task work, CancellationToken cancellationToken)
    {
        while (!work.IsCompleted)
        {
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (await Task.WhenAny(work, Task.Delay(_options.TickInterval, pause.Token)).ConfigureAwait(false) == work)
            {
                await pause.CancelAsync().ConfigureAwait(false);
                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // Never waits on the database longer than on the host: cut off from it (the very case in which the node stops
            // everything it served), a renewal may hang until its command times out, and the stop must not wait for that.
            await Task.WhenAny(work, KeepAliveQuietlyAsync(cancellationToken)).ConfigureAwait(false);
        }

        await work.ConfigureAwait(false);
    }

    private async Task KeepAliveQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await KeepAliveAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody may await this task: what escapes is logged, and the next tick's renewal decides.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            _logger.LogWarning(e, "Node {Node} could not renew its leases while waiting for its host", NodeId);
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        await _membership.HeartbeatAsync(NodeId, cancellationToken).ConfigureAwait(false);
        var asked = Stopwatch.GetTimestamp();
        var renewed = await _leases.RenewAsync(NodeId, HeldLeaseNames(), _options.LeaseTtl, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastRenewal, asked);
        Refresh(renewed);
    }

    // Only leases still held at the same epoch are refreshed: one removed meanwhile (being handed off, lost, or given up
    // by a self-fence while this renewal was on its way) stays removed.
    private void Refresh(IEnumerable<Lease> renewed)
    {
        lock (_fenceLock)
        {
            foreach (var lease in renewed)
            {
                foreach (var (shard, held) in _shards)
                {
                    if (held.Name == lease.Name && held.Epoch == lease.Epoch)
                    {
                        _shards[shard] = lease;
                        break;
                    }
                }

                foreach (var (name, held) in _singletons)
                {
                    if (held.Name == lease.Name && held.Epoch == lease.Epoch)
                    {
                        _singletons[name] = lease;
                        break;
                    }
                }
            }
        }
    }

    // Only what the node serves is renewed: a lease it stopped serving but could not release (the release failed) then
    // expires for the node the shard moved to, instead of being renewed by this one for as long as it lives.
    private string[] HeldLeaseNames()
    {
        lock (_fenceLock)
        {
            return [.. _shards.Values.Select(l => l.Name), .. _singletons.Values.Select(l => l.Name)];
        }
    }

    // Under the fence's lock: once a self-fence ran beside this tick, its remaining work must not reach the host nor
    // hold a lease (one the database granted meanwhile is left to expire, never served).
    private void ThrowIfFenced(CancellationToken cancellationToken)
    {
        if (_fenced)
        {
            throw new OperationCanceledException($"Node '{NodeId}' self-fenced during this tick.", cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void SetShard(int shard, Lease lease, CancellationToken cancellationToken)
    {
        lock (_fenceLock)
        {
            ThrowIfFenced(cancellationToken);
            _shards[shard] = lease;
            _fences[shard] = lease.ToFence();
        }
    }

    private void RemoveShard(int shard)
    {
        lock (_fenceLock)
        {
            _shards.Remove(shard);
        }
    }

    private void SetSingleton(string name, Lease lease, CancellationToken cancellationToken)
    {
        lock (_fenceLock)
        {
            ThrowIfFenced(cancellationToken);
            _singletons[name] = lease;
        }
    }

    private void RemoveSingleton(string name)
    {
        lock (_fenceLock)
        {
            _singletons.Remove(name);
        }
    }
}
