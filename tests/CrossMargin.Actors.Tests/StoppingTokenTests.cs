using System.Runtime.CompilerServices;
using CrossMargin.Actors.Supervision;
using CrossMargin.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// An async handler abandoned by a timed-out stop never completes: its <c>finally</c> blocks never run (the contract the
/// kernel README states). <see cref="IActorContext.StoppingToken"/> lets a handler end when the stop begins instead, on
/// its turn, <c>finally</c> included, without waiting for <see cref="ActorSystemOptions.StopTimeout"/>.
/// </summary>
public sealed class StoppingTokenTests(ITestOutputHelper output)
    : TestKit.TestKit(output, new TestKitSettings { ManualTime = true, Options = new ActorSystemOptions { StopTimeout = StopTimeout } })
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public void An_abandoned_handlers_finally_never_runs_and_PostStop_does()
    {
        var actor = StartAwaiting(useStoppingToken: false);
        var timers = Time!.ActiveTimers;
        Sys.Stop(actor);
        AwaitCondition(() => Time.ActiveTimers > timers, message: "the stop never armed its timeout");

        Time.Advance(StopTimeout);
        ExpectMsg("PostStop");
        ExpectTerminated(actor);
        _never.SetResult();
        ExpectNoMsg(Quiet); // no "finally": the abandoned handler's rest never runs
        AwaitIdle();
    }

    [Fact]
    public void A_handler_awaiting_with_the_stopping_token_ends_when_the_stop_begins_and_its_finally_runs_before_PostStop()
    {
        var actor = StartAwaiting(useStoppingToken: true);

        Sys.Stop(actor); // the clock never moves: nothing waits for the stop timeout
        ExpectMsg("cancelled");
        ExpectMsg("finally");
        ExpectMsg("PostStop");
        ExpectTerminated(actor);
        Assert.DoesNotContain(Logs.Entries, e => e.Level == LogLevel.Warning);
        AwaitIdle();
        Assert.Equal(0, Time!.ActiveTimers);
    }

    // A watched awaiter inside its handler, awaiting a task that never completes (with the stopping token or without).
    private IActorRef StartAwaiting(bool useStoppingToken)
    {
        var actor = Sys.ActorOf(Props.Create(() => new Awaiter(TestActor, _never.Task, useStoppingToken)), "awaiter");
        Watch(actor);
        actor.Tell("await", TestActor);
        ExpectMsg("awaiting");
        return actor;
    }

    [Fact]
    public void A_restart_cancels_the_old_instances_stopping_token_and_the_new_instance_gets_a_fresh_one()
    {
        var instances = new StrongBox<int>();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
                ("awaiter", Props.Create(() => new Awaiter(TestActor, _never.Task, true, instances))),
                ("sibling", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Restart)), "parent");
        parent.Tell(new GetChild("awaiter"), TestActor);
        var awaiter = ExpectMsg<IActorRef>();
        parent.Tell(new GetChild("sibling"), TestActor);
        var sibling = ExpectMsg<IActorRef>();
        awaiter.Tell("await", TestActor);
        ExpectMsg("awaiting");

        ExpectErrors<BoomException>(1, () => sibling.Tell(new Fail(new BoomException()), TestActor));
        ExpectMsg("cancelled");
        ExpectMsg("finally");
        ExpectMsg("PostStop"); // the default PreRestart's
        awaiter.Tell("token", TestActor);
        ExpectMsg("instance 2: not cancelled");
    }

    [Fact]
    public void A_handler_that_lets_the_stopping_tokens_cancellation_escape_is_stopped_not_failed_and_its_all_for_one_siblings_keep_their_state()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
                ("awaiter", Props.Create(() => new UncaughtAwaiter(TestActor, _never.Task))),
                ("sibling", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Restart)), "parent");
        parent.Tell(new GetChild("awaiter"), TestActor);
        var awaiter = ExpectMsg<IActorRef>();
        parent.Tell(new GetChild("sibling"), TestActor);
        var sibling = ExpectMsg<IActorRef>();
        sibling.Tell("inc", TestActor);
        Watch(awaiter);
        awaiter.Tell("await", TestActor);
        ExpectMsg("awaiting");

        Sys.Stop(awaiter); // not by its parent: a failure it reported would reach the parent's strategy
        ExpectMsg("PostStop");
        ExpectTerminated(awaiter);

        // The parent has processed whatever the awaiter told it (system messages first), and the sibling any restart it ordered.
        parent.Tell(new GetChild("sibling"), TestActor);
        ExpectMsg<IActorRef>();
        sibling.Tell("get", TestActor);
        ExpectMsg(1);
        Assert.DoesNotContain(Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public void The_stopping_token_first_read_in_PostStop_or_PreRestart_is_already_cancelled()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TokenReader(TestActor)), "reader");
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        ExpectMsg("PreRestart: cancelled");
        ExpectMsg("PostStop: cancelled"); // the default PreRestart's PostStop
        actor.Tell("token", TestActor);
        ExpectMsg("not cancelled");

        Sys.Stop(actor);
        ExpectMsg("PostStop: cancelled");
    }

    /// <summary>Reads its stopping token only in its hooks (and on "token"), so the first read comes after the end began.</summary>
    private sealed class TokenReader : ReceiveActor
    {
        private readonly IActorRef _probe;

        public TokenReader(IActorRef probe)
        {
            _probe = probe;
            Receive<Fail>(f => throw f.Cause);
            Receive<string>(_ => Sender.Tell(State()), s => s == "token");
        }

        protected override void PreRestart(Exception reason, object? message)
        {
            _probe.Tell("PreRestart: " + State(), ActorRefs.NoSender);
            base.PreRestart(reason, message);
        }

        protected override void PostStop() => _probe.Tell("PostStop: " + State(), ActorRefs.NoSender);

        private string State() => Context.StoppingToken.IsCancellationRequested ? "cancelled" : "not cancelled";
    }

    /// <summary>On "await", awaits a task that never completes with the stopping token, letting its cancellation escape; reports PostStop.</summary>
    private sealed class UncaughtAwaiter : ReceiveActor
    {
        private readonly IActorRef _probe;

        public UncaughtAwaiter(IActorRef probe, Task never)
        {
            _probe = probe;
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("awaiting", ActorRefs.NoSender);
                await never.WaitAsync(Context.StoppingToken);
            }, s => s == "await");
        }

        protected override void PostStop() => _probe.Tell("PostStop", ActorRefs.NoSender);
    }

    /// <summary>On "await", awaits a task that never completes (with the stopping token, or without); reports its finally and PostStop.</summary>
    private sealed class Awaiter : ReceiveActor
    {
        private readonly IActorRef _probe;

        public Awaiter(IActorRef probe, Task never, bool withToken, StrongBox<int>? instances = null)
        {
            _probe = probe;
            var instance = instances is null ? 1 : Interlocked.Increment(ref instances.Value);
            ReceiveAsync<string>(async _ =>
            {
                try
                {
                    probe.Tell("awaiting", ActorRefs.NoSender);
                    await (withToken ? never.WaitAsync(Context.StoppingToken) : never);
                }
                catch (OperationCanceledException)
                {
                    probe.Tell("cancelled", ActorRefs.NoSender);
                }
                finally
                {
                    probe.Tell("finally", ActorRefs.NoSender);
                }
            }, s => s == "await");
            Receive<string>(_ => Sender.Tell($"instance {instance}: {(Context.StoppingToken.IsCancellationRequested ? "cancelled" : "not cancelled")}"),
                s => s == "token");
        }

        protected override void PostStop() => _probe.Tell("PostStop", ActorRefs.NoSender);
    }
}
