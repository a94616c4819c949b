using CrossMargin.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// <see cref="ActorSystemOptions.StopTimeout"/> bounds the stop of a whole subtree, not each level of it: a child stopped
/// because its parent stops inherits the parent's deadline, and every stop that begins after <see cref="ActorSystem.Terminate"/>
/// has the termination's. Before, each level waited a timeout of its own after its parent's, so a tree of depth d whose
/// handlers all hang took d timeouts, and a system shutdown outlasted its final phase.
/// </summary>
public sealed class NestedStopTimeoutTests(ITestOutputHelper output)
    : TestKit.TestKit(output, new TestKitSettings { ManualTime = true, Options = new ActorSystemOptions { StopTimeout = StopTimeout } })
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A chain of <paramref name="depth"/> actors, each hanging in an async handler; returns them top first.</summary>
    private IActorRef[] StartHangingChain(int depth, Func<Props, IActorRef>? spawnTop = null)
    {
        var props = Props.Create(() => new Nest(TestActor, _never.Task, null));
        for (var level = 1; level < depth; level++)
        {
            var child = props;
            props = Props.Create(() => new Nest(TestActor, _never.Task, child));
        }

        var top = (spawnTop ?? (p => Sys.ActorOf(p, "top")))(props);
        top.Tell(new Hang(), TestActor);
        var chain = new IActorRef[depth];
        for (var i = 0; i < depth; i++)
        {
            chain[i] = ExpectMsg<Hanging>().Actor;
            Watch(chain[i]);
        }

        return chain;
    }

    private void AwaitTimerArmed(int before) => AwaitCondition(() => Time!.ActiveTimers > before, message: "the stop never armed its timeout");

    [Fact]
    public void A_three_level_tree_of_hanging_handlers_is_terminated_when_the_clock_passes_one_stop_timeout_not_three()
    {
        var timers = Time!.ActiveTimers;
        var chain = StartHangingChain(3);
        Sys.Stop(chain[0]);
        AwaitTimerArmed(timers);

        Time.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));
        ExpectNoMsg(Quiet);
        Time.Advance(TimeSpan.FromMilliseconds(1));

        // Leaves first: children stop before their parent.
        ExpectTerminated(chain[2]);
        ExpectTerminated(chain[1]);
        ExpectTerminated(chain[0]);
        var warnings = Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("stop timeout", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, warnings.Count);
        AwaitIdle();
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void A_child_already_stopping_on_its_own_is_cut_at_its_parents_earlier_deadline()
    {
        var timers = Time!.ActiveTimers;
        var chain = StartHangingChain(2);
        Sys.Stop(chain[0]);
        AwaitTimerArmed(timers);
        Time.Advance(StopTimeout - TimeSpan.FromSeconds(1));

        // The child's own stop, begun 4 s into its parent's, would wait until 9 s.
        timers = Time.ActiveTimers;
        Sys.Stop(chain[1]);
        AwaitTimerArmed(timers);
        Time.Advance(TimeSpan.FromSeconds(1));

        ExpectTerminated(chain[1]);
        ExpectTerminated(chain[0]);
        AwaitIdle();
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public async Task Terminate_ends_within_one_stop_timeout_though_a_hanging_user_tree_is_followed_by_a_hanging_system_actor()
    {
        var timers = Time!.ActiveTimers;
        StartHangingChain(2);
        var systemActor = StartHangingChain(1, p => Sys.SystemActorOf(p, "infrastructure"))[0];
        var terminated = Sys.Terminate();
        AwaitTimerArmed(timers);

        Time.Advance(StopTimeout);

        await terminated.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(systemActor.Path.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_childs_handler_that_completes_within_its_parents_deadline_finishes_first()
    {
        var timers = Time!.ActiveTimers;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = Props.Create(() => new Nest(TestActor, release.Task, null));
        var top = Sys.ActorOf(Props.Create(() => new Nest(TestActor, Task.CompletedTask, child)), "top");
        top.Tell(new Hang(), TestActor);
        var parent = ExpectMsg<Hanging>().Actor;
        ExpectMsg("rest of Hang");
        var leaf = ExpectMsg<Hanging>().Actor;
        Watch(leaf);
        Watch(parent);

        Sys.Stop(parent);
        AwaitTimerArmed(timers);
        Time.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));
        release.SetResult();

        ExpectMsg("rest of Hang");
        ExpectTerminated(leaf);
        ExpectTerminated(parent);
        Assert.DoesNotContain(Logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(0, Time.ActiveTimers);
    }

    private sealed record Hang;

    private sealed record Hanging(IActorRef Actor);

    /// <summary>Starts <c>child</c> (if any); on <see cref="Hang"/> passes it on and then awaits <c>until</c>.</summary>
    private sealed class Nest : ReceiveActor
    {
        public Nest(IActorRef probe, Task until, Props? child)
        {
            var next = child is null ? null : Context.ActorOf(child, "child");
            ReceiveAsync<Hang>(async hang =>
            {
                probe.Tell(new Hanging(Self), ActorRefs.NoSender);
                next?.Tell(hang, ActorRefs.NoSender);
                await until;
                probe.Tell("rest of Hang", ActorRefs.NoSender);
            });
        }
    }
}
