using System.Runtime.CompilerServices;
using CrossMargin.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// A stop waits for an in-flight async handler or held mailbox only up to <see cref="ActorSystemOptions.StopTimeout"/>;
/// then the actor terminates anyway (watchers told, name freed, PostStop once), and the abandoned work's late completion
/// never touches it. Before, one that never completed kept the actor, and a system shutdown, from ever ending.
/// </summary>
public sealed class StopTimeoutTests(ITestOutputHelper output)
    : TestKit.TestKit(output, new TestKitSettings { ManualTime = true, Options = new ActorSystemOptions { StopTimeout = StopTimeout } })
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StrongBox<Action<Exception?>?> _resume = new();

    private IActorRef StartHanger(string name = "hanger") => Sys.ActorOf(Props.Create(() => new Hanger(TestActor, _never.Task, _resume)), name);

    // The stop is a system message the actor takes on its own turn: only once it has armed the timeout may the clock move.
    private void StopAndAwaitItsTimeout(IActorRef actor)
    {
        var timers = Time!.ActiveTimers;
        Sys.Stop(actor);
        AwaitCondition(() => Time.ActiveTimers > timers, message: "the stop never armed its timeout");
    }

    [Fact]
    public void A_stop_waiting_for_an_async_handler_that_never_completes_terminates_the_actor_after_the_stop_timeout()
    {
        var hanger = StartHanger();
        Watch(hanger);
        hanger.Tell(new Hang(), TestActor);
        ExpectMsg("hanging");
        hanger.Tell("queued", TestActor);
        StopAndAwaitItsTimeout(hanger);

        Time!.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));
        ExpectNoMsg(Quiet);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        ExpectMsg("PostStop");
        ExpectTerminated(hanger);

        var warning = Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("stop timeout", StringComparison.Ordinal));
        Assert.Contains("cm://test/user/hanger", warning.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Hang), warning.Message, StringComparison.Ordinal);
        Assert.Contains("async handler", warning.Message, StringComparison.Ordinal);

        // The name is free again at once: a new incarnation can start.
        var next = StartHanger();
        next.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    [Fact]
    public void The_abandoned_handlers_late_completion_runs_nothing_on_the_terminated_actor()
    {
        var hanger = StartHanger();
        Watch(hanger);
        hanger.Tell(new Hang(), TestActor);
        ExpectMsg("hanging");
        StopAndAwaitItsTimeout(hanger);
        Time!.Advance(StopTimeout);
        ExpectMsg("PostStop");
        ExpectTerminated(hanger);

        _never.SetResult();
        ExpectNoMsg(Quiet); // no "rest of Hang", no second PostStop
        AwaitIdle(); // nothing of it is left counted as work in flight
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void A_stop_waiting_for_a_held_mailbox_that_is_never_resumed_terminates_the_actor_and_a_late_resume_runs_nothing()
    {
        var hanger = StartHanger();
        Watch(hanger);
        hanger.Tell("hold", TestActor);
        ExpectMsg("holding");
        StopAndAwaitItsTimeout(hanger);
        Time!.Advance(StopTimeout);
        ExpectMsg("PostStop");
        ExpectTerminated(hanger);
        var warning = Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("stop timeout", StringComparison.Ordinal));
        Assert.Contains("held mailbox", warning.Message, StringComparison.Ordinal);

        _resume.Value!(null);
        ExpectNoMsg(Quiet); // no "rest of hold"
        AwaitIdle();
    }

    [Fact]
    public void A_handler_that_completes_within_the_stop_timeout_finishes_first_and_leaves_no_timer()
    {
        var hanger = StartHanger();
        Watch(hanger);
        hanger.Tell(new Hang(), TestActor);
        ExpectMsg("hanging");
        StopAndAwaitItsTimeout(hanger);
        Time!.Advance(StopTimeout - TimeSpan.FromMilliseconds(1));
        _never.SetResult();
        ExpectMsg("rest of Hang");
        ExpectMsg("PostStop");
        ExpectTerminated(hanger);
        Assert.Equal(0, Time.ActiveTimers);
        Assert.DoesNotContain(Logs.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Terminate_completes_after_the_stop_timeout_though_an_actor_never_finishes_its_handler()
    {
        var hanger = StartHanger();
        hanger.Tell(new Hang(), TestActor);
        ExpectMsg("hanging");
        var timers = Time!.ActiveTimers;
        var terminated = Sys.Terminate();
        AwaitCondition(() => Time.ActiveTimers > timers, message: "the stop never armed its timeout");
        Time!.Advance(StopTimeout);
        await terminated.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cm://test/user/hanger", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stop_timeout_beyond_what_a_timer_can_run_is_refused()
    {
        var errors = new ActorSystemOptions { StopTimeout = TimeSpan.FromDays(50) }.Validate();
        Assert.Contains(errors, e => e.Contains("StopTimeout", StringComparison.Ordinal));
        Assert.Contains(new ActorSystemOptions { StopTimeout = TimeSpan.Zero }.Validate(), e => e.Contains("StopTimeout", StringComparison.Ordinal));
    }

    private sealed record Hang;

    private sealed class Hanger : ReceiveActor
    {
        private readonly IActorRef _probe;

        public Hanger(IActorRef probe, Task never, StrongBox<Action<Exception?>?> resume)
        {
            _probe = probe;
            ReceiveAsync<Hang>(async _ =>
            {
                probe.Tell("hanging", ActorRefs.NoSender);
                await never;
                probe.Tell("rest of Hang", ActorRefs.NoSender);
            });
            Receive<string>(_ =>
            {
                resume.Value = HoldMailbox(static (IActorRef p, Exception? _) => p.Tell("rest of hold", ActorRefs.NoSender), probe);
                probe.Tell("holding", ActorRefs.NoSender);
            }, s => s == "hold");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
            Receive<string>(s => probe.Tell("got " + s, ActorRefs.NoSender));
        }

        protected override void PostStop() => _probe.Tell("PostStop", ActorRefs.NoSender);
    }
}
