using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// A spawn under a parent that is stopping is refused with <see cref="InvalidOperationException"/> (as Akka.NET refuses
/// it), before the child's constructor or PreStart could run: a child that would only be stopped at once has no business
/// starting recoveries, timers or subscriptions on its way out.
/// </summary>
public sealed class SpawnUnderStoppingParentTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private Props Recorder(string id) => Props.Create(() => new LifecycleRecorder(TestActor, id, new StrongBox<int>()));

    [Fact]
    public void A_spawn_in_PostStop_is_refused_and_the_child_never_constructed()
    {
        var parent = Sys.ActorOf(Props.Create(() => new SpawnsInPostStop(TestActor, Recorder("late"))), "parent");
        Watch(parent);
        Sys.Stop(parent);

        var outcome = ExpectMsg<string>();
        Assert.StartsWith("refused: ", outcome, StringComparison.Ordinal);
        Assert.Contains("cm://test/user/parent", outcome, StringComparison.Ordinal);
        Assert.Contains("stopping", outcome, StringComparison.Ordinal);
        ExpectTerminated(parent);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_spawn_by_an_async_handler_finishing_under_a_pending_stop_is_refused_and_the_child_never_constructed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = Sys.ActorOf(Props.Create(() => new SpawnsAfterAwait(TestActor, release.Task, Recorder("late"))), "parent");
        Watch(parent);
        parent.Tell("go", TestActor);
        ExpectMsg("awaiting");
        Sys.Stop(parent);
        release.SetResult();

        var outcome = ExpectMsg<string>();
        Assert.StartsWith("refused: ", outcome, StringComparison.Ordinal);
        ExpectTerminated(parent);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task ActorOf_on_a_terminating_system_is_refused_and_the_actor_never_constructed()
    {
        var terminated = Sys.Terminate();

        var e = Assert.Throws<InvalidOperationException>(() => Sys.ActorOf(Recorder("late"), "late"));
        Assert.Contains("cm://test/user", e.Message, StringComparison.Ordinal);
        Assert.Contains("late", e.Message, StringComparison.Ordinal);
        await terminated.WaitAsync(TimeSpan.FromSeconds(5));
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task A_top_level_spawn_whose_guardian_stops_between_its_check_and_its_add_is_refused_and_never_constructed()
    {
        // The spawn passes the check while the system runs; the whole termination then happens in the window before the add.
        Task? terminated = null;
        Dispatch.ActorCell? parent = null;
        Sys.BeforeChildAdded = guardian =>
        {
            Sys.BeforeChildAdded = null;
            parent = (Dispatch.ActorCell)guardian;
            terminated = Sys.Terminate();
            Assert.True(terminated.Wait(TimeSpan.FromSeconds(5)), $"{guardian} did not stop");
        };

        var e = Assert.Throws<InvalidOperationException>(() => Sys.ActorOf(Recorder("late"), "late"));

        Assert.NotNull(terminated);
        Assert.Empty(parent!.ChildRefs); // never added, not even as a cell that only stops
        Assert.Contains("cm://test/user", e.Message, StringComparison.Ordinal);
        Assert.Contains("stopping", e.Message, StringComparison.Ordinal);
        await terminated.WaitAsync(TimeSpan.FromSeconds(5));
        ExpectNoMsg(Quiet); // no "late#1:ctor", no PreStart
        AwaitIdle();
    }

    [Fact]
    public void A_spawn_while_the_parent_runs_still_starts_the_child()
    {
        var parent = Sys.ActorOf(Props.Create(() => new SpawnsAfterAwait(TestActor, Task.CompletedTask, Recorder("child"))), "parent");
        parent.Tell("go", TestActor);
        ExpectMsg("awaiting");
        ExpectMsg("spawned");
        ExpectMsg("child#1:ctor");
        ExpectMsg("child#1:PreStart");
    }

    private sealed class SpawnsInPostStop(IActorRef probe, Props child) : ReceiveActor
    {
        protected override void PostStop() => probe.Tell(TrySpawn(Context, child), ActorRefs.NoSender);
    }

    private sealed class SpawnsAfterAwait : ReceiveActor
    {
        public SpawnsAfterAwait(IActorRef probe, Task release, Props child) => ReceiveAsync<string>(async _ =>
        {
            probe.Tell("awaiting", ActorRefs.NoSender);
            await release;
            probe.Tell(TrySpawn(Context, child), ActorRefs.NoSender);
        });
    }

    private static string TrySpawn(IActorContext context, Props child)
    {
        try
        {
            context.ActorOf(child, "late");
            return "spawned";
        }
        catch (InvalidOperationException e)
        {
            return "refused: " + e.Message;
        }
    }
}
