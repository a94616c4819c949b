using System.Collections.Concurrent;
using CrossMargin.Actors.Shutdown;
using CrossMargin.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class CoordinatedShutdownTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<string> _log = new();

    private CoordinatedShutdown Shutdown => Sys.CoordinatedShutdown;

    [Fact]
    public async Task Phases_run_in_order()
    {
        foreach (var phase in CoordinatedShutdown.Phases.Reverse())
        {
            Shutdown.AddTask(phase, "record-" + phase, _ =>
            {
                _log.Enqueue(phase);
                return Task.CompletedTask;
            });
        }

        await Shutdown.RunAsync(ShutdownReason.OperatorRequest).WaitAsync(Wait);
        Assert.Equal(CoordinatedShutdown.Phases, _log);
        Assert.True(Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task Tasks_in_one_phase_run_concurrently()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each waits for the other: run one after the other, they would both time out.
        Shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "first", async token =>
        {
            first.SetResult();
            await second.Task.WaitAsync(TimeSpan.FromSeconds(5), token);
            _log.Enqueue("first done");
        });
        Shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "second", async token =>
        {
            second.SetResult();
            await first.Task.WaitAsync(TimeSpan.FromSeconds(5), token);
            _log.Enqueue("second done");
        });
        Shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "later", _ =>
        {
            _log.Enqueue("later");
            return Task.CompletedTask;
        });

        await Shutdown.RunAsync(ShutdownReason.OperatorRequest).WaitAsync(Wait);
        Assert.Equal(["first done", "second done"], _log.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal("later", _log.Last());
        Assert.DoesNotContain(Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_failing_task_is_logged_and_the_next_phases_still_run()
    {
        Shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "broken", _ => throw new BoomException("unbind failed"));
        Shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "later", _ =>
        {
            _log.Enqueue("later");
            return Task.CompletedTask;
        });
        await Shutdown.RunAsync(ShutdownReason.OperatorRequest).WaitAsync(Wait);
        Assert.Equal(["later"], _log);
        var error = Assert.Single(Logs.Errors<BoomException>());
        Assert.Contains("broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actors_stop_children_before_parents()
    {
        Props Node(string id, params (string, Props)[] children) => Props.Create(() => new StopRecorder(_log, id, children));
        Sys.ActorOf(Node("root", ("a", Node("a", ("a1", Node("a1")))), ("b", Node("b"))), "root");
        Sys.ActorOf(Node("other"), "other");
        AwaitCondition(() => _log.Count == 5); // all started
        _log.Clear();

        await Shutdown.RunAsync(ShutdownReason.OperatorRequest).WaitAsync(Wait);
        var stops = _log.ToList();
        Assert.Equal(5, stops.Count);
        Assert.True(stops.IndexOf("a1") < stops.IndexOf("a"), string.Join(",", stops));
        Assert.True(stops.IndexOf("a") < stops.IndexOf("root"), string.Join(",", stops));
        Assert.True(stops.IndexOf("b") < stops.IndexOf("root"), string.Join(",", stops));
    }

    [Fact]
    public async Task A_message_being_processed_finishes_before_the_actor_stops()
    {
        using var gate = new Gate();
        var actor = Sys.ActorOf(Props.Create(() => new StopRecorder(_log, "busy", gate)), "busy");
        AwaitCondition(() => _log.Count == 1);
        actor.Tell("work", ActorRefs.NoSender);
        gate.WaitEntered();

        var run = Shutdown.RunAsync(ShutdownReason.OperatorRequest);
        await Task.Delay(150);
        Assert.False(run.IsCompleted, "the shutdown waits for the message in flight");
        gate.Open();
        await run.WaitAsync(Wait);
        Assert.Equal(["busy", "busy handled work", "busy stopped"], _log);
    }

    [Fact]
    public async Task An_async_handler_finishes_before_the_actor_stops()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new AsyncRecorder(_log, started, release.Task)), "async");
        actor.Tell("work", ActorRefs.NoSender);
        await started.Task.WaitAsync(Wait);

        var run = Shutdown.RunAsync(ShutdownReason.OperatorRequest);
        await Task.Delay(150);
        Assert.False(run.IsCompleted, "the shutdown waits for the async handler");
        release.SetResult();
        await run.WaitAsync(Wait);
        Assert.Equal(["async handled work", "async stopped"], _log);
    }

    [Fact]
    public async Task RunAsync_is_idempotent_and_keeps_the_first_reason()
    {
        var first = Shutdown.RunAsync(ShutdownReason.OperatorRequest);
        var second = Shutdown.RunAsync(ShutdownReason.ProcessExit);
        Assert.Same(first, second);
        await first.WaitAsync(Wait);
        Assert.Same(first, Shutdown.RunAsync(ShutdownReason.ClusterLeaving));
        Assert.Equal(ShutdownReason.OperatorRequest, Shutdown.Reason);
    }

    [Fact]
    public async Task AddTask_after_the_start_throws()
    {
        var run = Shutdown.RunAsync(ShutdownReason.OperatorRequest);
        var e = Assert.Throws<InvalidOperationException>(() =>
            Shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "too-late", _ => Task.CompletedTask));
        Assert.Contains("too-late", e.Message, StringComparison.Ordinal);
        await run.WaitAsync(Wait);
    }

    [Fact]
    public void AddTask_rejects_an_unknown_phase_listing_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Shutdown.AddTask("no-such-phase", "t", _ => Task.CompletedTask));
        Assert.Contains(CoordinatedShutdown.PhaseServiceUnbind, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "", _ => Task.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => Shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "t", null!));
        Assert.Null(Shutdown.Reason);
    }

    [Fact]
    public async Task Disposing_the_system_runs_the_shutdown()
    {
        Shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "t", _ =>
        {
            _log.Enqueue("ran");
            return Task.CompletedTask;
        });
        await Sys.DisposeAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(["ran"], _log);
        Assert.Equal(ShutdownReason.ActorSystemDisposed, Shutdown.Reason);
        Assert.True(Sys.WhenTerminated.IsCompleted);
    }

    /// <summary>Logs its id when started and "id stopped" in PostStop; may hold a message at a gate.</summary>
    internal sealed class StopRecorder : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _log;
        private readonly string _id;

        public StopRecorder(ConcurrentQueue<string> log, string id, params (string Name, Props Props)[] children)
            : this(log, id, null, children)
        {
        }

        public StopRecorder(ConcurrentQueue<string> log, string id, Gate? gate, params (string Name, Props Props)[] children)
        {
            _log = log;
            _id = id;
            foreach (var (name, props) in children)
            {
                Context.ActorOf(props, name);
            }

            Receive<string>(s =>
            {
                gate?.Pass();
                _log.Enqueue($"{_id} handled {s}");
            });
        }

        protected override void PreStart() => _log.Enqueue(_id);

        protected override void PostStop() => _log.Enqueue(_id == "busy" ? "busy stopped" : _id);
    }

    private sealed class AsyncRecorder : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _log;

        public AsyncRecorder(ConcurrentQueue<string> log, TaskCompletionSource started, Task release)
        {
            _log = log;
            ReceiveAsync<string>(async s =>
            {
                started.SetResult();
                await release;
                await Task.Yield();
                _log.Enqueue("async handled " + s);
            });
        }

        protected override void PostStop() => _log.Enqueue("async stopped");
    }
}

public sealed class CoordinatedShutdownTimeoutTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings
{
    ManualTime = true,
    Options = new ActorSystemOptions { ShutdownPhaseTimeout = TimeSpan.FromSeconds(5) },
})
{
    [Fact]
    public async Task A_phase_that_exceeds_its_timeout_is_abandoned_with_a_warning_and_the_next_phases_run()
    {
        var log = new ConcurrentQueue<string>();
        var stuckStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        Sys.CoordinatedShutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "stuck", token =>
        {
            token.Register(() => cancelled = true);
            stuckStarted.SetResult();
            return never.Task; // ignores its token
        });
        Sys.CoordinatedShutdown.AddTask(CoordinatedShutdown.PhaseClusterLeave, "later", _ =>
        {
            log.Enqueue("later");
            return Task.CompletedTask;
        });

        var run = Sys.CoordinatedShutdown.RunAsync(ShutdownReason.OperatorRequest);
        await stuckStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Time!.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        Assert.Empty(log);

        Time.Advance(TimeSpan.FromSeconds(1));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(cancelled, "the stuck task's token is cancelled at the timeout");
        Assert.Equal(["later"], log);
        var warning = Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(CoordinatedShutdown.PhaseServiceRequestsDone, warning.Message, StringComparison.Ordinal);
        Assert.True(Sys.WhenTerminated.IsCompleted);
        never.SetResult();
    }
}
