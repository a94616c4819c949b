using System.Runtime.CompilerServices;
using CrossMargin.Actors.Supervision;
using CrossMargin.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// A restart waits for the old instance's in-flight async handler or held mailbox as a stop does, and for as long:
/// <see cref="ActorSystemOptions.StopTimeout"/>. Then the old instance's rest is abandoned (its late outcome dropped, on
/// the new instance too) and the new one starts. Before, a restart stuck on a handler that never completed left the actor
/// failed, taking no message, until something stopped it.
/// </summary>
public sealed class RestartTimeoutTests(ITestOutputHelper output)
    : TestKit.TestKit(output, new TestKitSettings { ManualTime = true, Options = new ActorSystemOptions { StopTimeout = StopTimeout } })
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StrongBox<Action<Exception?>?> _resume = new();
    private readonly StrongBox<int> _instances = new();

    /// <summary>A holder and a sibling under all-for-one restarts: the sibling's failure restarts the holder too.</summary>
    private (IActorRef Holder, IActorRef Sibling, TestProbe Reports) StartFamily()
    {
        var reports = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
                ("holder", Props.Create(() => new Holder(reports.Ref, _resume, _instances, _never.Task))),
                ("sibling", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Restart)), "parent");
        reports.ExpectMsg("holder #1 started");
        return (ChildOf(parent, "holder"), ChildOf(parent, "sibling"), reports);
    }

    // The restart is a system message the holder takes on its own turn: only once it has armed the timeout may the clock move.
    private void FailSiblingAndAwaitTheRestartsTimeout(IActorRef sibling)
    {
        var timers = Time!.ActiveTimers;
        ExpectErrors<BoomException>(1, () => sibling.Tell(new Fail(new BoomException()), TestActor));
        AwaitCondition(() => Time.ActiveTimers > timers, message: "the restart never armed its timeout");
    }

    [Fact]
    public void A_restart_waiting_for_an_async_handler_that_never_completes_restarts_the_actor_after_the_stop_timeout()
    {
        var (holder, sibling, reports) = StartFamily();
        holder.Tell("hang", TestActor);
        reports.ExpectMsg("holder #1 hanging");
        FailSiblingAndAwaitTheRestartsTimeout(sibling);

        Time!.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));
        reports.ExpectNoMsg(Quiet);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        reports.ExpectMsg("holder #2 started");
        holder.Tell("ping", TestActor);
        ExpectMsg("pong");

        var warning = Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("stop timeout", StringComparison.Ordinal));
        Assert.Contains("cm://test/user/parent/holder", warning.Message, StringComparison.Ordinal);
        Assert.Contains("async handler of String", warning.Message, StringComparison.Ordinal);
        Assert.Contains("restarts anyway", warning.Message, StringComparison.Ordinal);

        // The abandoned handler's late completion runs nothing, on the new instance or the old.
        _never.SetResult();
        reports.ExpectNoMsg(Quiet);
        AwaitIdle();
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void A_late_resume_of_a_hold_abandoned_by_a_timed_out_restart_runs_nothing_and_leaves_the_new_instances_hold_in_place()
    {
        var (holder, sibling, reports) = StartFamily();
        holder.Tell("hold", TestActor);
        reports.ExpectMsg("holder #1 holding");
        var lateResume = _resume.Value!;
        FailSiblingAndAwaitTheRestartsTimeout(sibling);
        Time!.Advance(StopTimeout);
        reports.ExpectMsg("holder #2 started");

        holder.Tell("hold", TestActor);
        reports.ExpectMsg("holder #2 holding");
        holder.Tell("ping", TestActor);

        // The first instance's write reports late: it must neither run its rest nor release the second instance's hold.
        lateResume(null);
        reports.ExpectNoMsg(Quiet);
        ExpectNoMsg(Quiet);

        _resume.Value!(null);
        reports.ExpectMsg("holder #2 rest");
        ExpectMsg("pong");
        AwaitIdle();
    }

    [Fact]
    public void A_restart_whose_handler_completes_within_the_stop_timeout_runs_its_rest_first_and_leaves_no_timer()
    {
        var (holder, sibling, reports) = StartFamily();
        holder.Tell("hang", TestActor);
        reports.ExpectMsg("holder #1 hanging");
        FailSiblingAndAwaitTheRestartsTimeout(sibling);
        Time!.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));

        _never.SetResult();
        reports.ExpectMsg("holder #1 rest");
        reports.ExpectMsg("holder #2 started");
        AwaitIdle();
        Assert.Equal(0, Time.ActiveTimers);
        Assert.DoesNotContain(Logs.Entries, e => e.Level == LogLevel.Warning);
    }

    private IActorRef ChildOf(IActorRef parent, string name)
    {
        parent.Tell(new GetChild(name), TestActor);
        return ExpectMsg<IActorRef>(c => !ReferenceEquals(c, ActorRefs.Nobody));
    }

    /// <summary>Numbers its instances; holds its mailbox on "hold", hangs in an async handler on "hang".</summary>
    private sealed class Holder : ReceiveActor
    {
        public Holder(IActorRef reports, StrongBox<Action<Exception?>?> resume, StrongBox<int> instances, Task until)
        {
            var instance = Interlocked.Increment(ref instances.Value);
            reports.Tell($"holder #{instance} started", ActorRefs.NoSender);
            Receive<string>(_ =>
            {
                resume.Value = HoldMailbox<int>((n, _) => reports.Tell($"holder #{n} rest", ActorRefs.NoSender), instance);
                reports.Tell($"holder #{instance} holding", ActorRefs.NoSender);
            }, s => s == "hold");
            ReceiveAsync<string>(async _ =>
            {
                reports.Tell($"holder #{instance} hanging", ActorRefs.NoSender);
                await until;
                reports.Tell($"holder #{instance} rest", ActorRefs.NoSender);
            }, s => s == "hang");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        }
    }
}
