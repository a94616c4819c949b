using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class TimerTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    private IActorRef StartTimerActor(Gate? gate = null) => Sys.ActorOf(Props.Create(() => new TimerActor(TestActor, gate)), "timers");

    private void Do(IActorRef actor, object command, string reply)
    {
        actor.Tell(command, TestActor);
        ExpectMsg(reply);
    }

    private string ActiveKeys(IActorRef actor)
    {
        actor.Tell("active", TestActor);
        return ExpectMsg<string>(s => s.StartsWith("active:", StringComparison.Ordinal))["active:".Length..];
    }

    [Fact]
    public void Single_timer_fires_once_after_its_delay()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("k", new Tick("a"), Second), "started");
        Assert.Equal("k", ActiveKeys(actor));
        Time!.Advance(Second - TimeSpan.FromMilliseconds(1));
        ExpectNoMsg(Quiet);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        ExpectMsg(new Tick("a"));
        Time.Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(Quiet);
        Assert.Equal("", ActiveKeys(actor));
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void Periodic_timer_fires_every_interval()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("k", new Tick("p"), Second, Periodic: true), "started");
        Time!.Advance(Second);
        ExpectMsg(new Tick("p"));
        Time.Advance(Second);
        ExpectMsg(new Tick("p"));
        Time.Advance(Second * 3);
        Assert.Equal([new Tick("p"), new Tick("p"), new Tick("p")], ReceiveN(3));
        ExpectNoMsg(Quiet);
        Assert.Equal("k", ActiveKeys(actor));
    }

    [Fact]
    public void Periodic_timer_with_an_initial_delay_starts_later()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("k", new Tick("p"), Second * 5, Periodic: true, Interval: Second), "started");
        Time!.Advance(Second * 4);
        ExpectNoMsg(Quiet);
        Time.Advance(Second);
        ExpectMsg(new Tick("p"));
        Time.Advance(Second);
        ExpectMsg(new Tick("p"));
    }

    [Fact]
    public void Starting_a_timer_with_a_key_in_use_replaces_it()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("k", new Tick("old"), Second), "started");
        Do(actor, new StartTimer("k", new Tick("new"), Second * 2), "started");
        Assert.Equal(1, Time!.ActiveTimers);
        Time.Advance(Second);
        ExpectNoMsg(Quiet);
        Time.Advance(Second);
        ExpectMsg(new Tick("new"));
        Time.Advance(Second * 5);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Cancelled_timer_does_not_fire()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("k", new Tick("a"), Second), "started");
        Do(actor, new CancelTimer("k"), "cancelled");
        Assert.Equal(0, Time!.ActiveTimers);
        Time.Advance(Second * 5);
        ExpectNoMsg(Quiet);
        Assert.Equal("", ActiveKeys(actor));
    }

    [Fact]
    public void Cancelled_timer_message_already_in_the_mailbox_is_not_delivered()
    {
        using var gate = new Gate();
        var actor = StartTimerActor(gate);
        Do(actor, new StartTimer("k", new Tick("a"), Second), "started");
        actor.Tell(new BlockThen("k", Replace: false), TestActor);
        gate.WaitEntered();
        Time!.Advance(Second); // the tick is queued behind the blocked message
        gate.Open();
        ExpectMsg("cancelled");
        Do(actor, "ping", "pong");
    }

    [Fact]
    public void Replaced_timer_message_already_in_the_mailbox_is_not_delivered()
    {
        using var gate = new Gate();
        var actor = StartTimerActor(gate);
        Do(actor, new StartTimer("k", new Tick("old"), Second), "started");
        actor.Tell(new BlockThen("k", Replace: true), TestActor);
        gate.WaitEntered();
        Time!.Advance(Second);
        gate.Open();
        ExpectMsg("replaced");
        Do(actor, "ping", "pong");
        Time.Advance(Second * 3);
        ExpectMsg(new Tick("new"));
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_stops()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("a", new Tick("a"), Second, Periodic: true), "started");
        Do(actor, new StartTimer("b", new Tick("b"), Second * 2), "started");
        Assert.Equal(2, Time!.ActiveTimers);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, Time.ActiveTimers);
        var before = Sys.DeadLetterCount;
        Time.Advance(Second * 5);
        Assert.Equal(before, Sys.DeadLetterCount);
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_restarts()
    {
        var actor = StartTimerActor();
        Do(actor, new StartTimer("a", new Tick("a"), Second, Periodic: true), "started");
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        Assert.Equal("", ActiveKeys(actor));
        Assert.Equal(0, Time!.ActiveTimers);
        Time.Advance(Second * 5);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Timer_message_queued_before_a_restart_is_not_delivered_to_the_new_instance()
    {
        using var gate = new Gate();
        var actor = StartTimerActor(gate);
        Do(actor, new StartTimer("k", new Tick("a"), Second), "started");
        ExpectErrors<BoomException>(1, () =>
        {
            actor.Tell(new BlockThenFail(), TestActor);
            gate.WaitEntered();
            Time!.Advance(Second);
            gate.Open();
        });
        Do(actor, "ping", "pong");
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Periodic_timer_rejects_a_non_positive_interval()
    {
        var actor = StartTimerActor();
        actor.Tell(new StartTimer("k", new Tick("a"), Second, Periodic: true, Interval: TimeSpan.Zero), TestActor);
        Assert.StartsWith("rejected", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_message_left_in_a_stopped_actors_mailbox_is_a_dead_letter_of_the_message_itself()
    {
        using var gate = new Gate();
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(Events.DeadLetter));
        var actor = StartTimerActor(gate);
        Do(actor, new StartTimer("k", new Tick("a"), Second), "started");
        actor.Tell(new BlockThen("other", Replace: false), TestActor);
        gate.WaitEntered();
        Time!.Advance(Second); // the tick is queued behind the blocked message
        Sys.Stop(actor);
        gate.Open();
        ExpectMsg("cancelled");

        // What the actor would have received, not the kernel's wrapper of it.
        Assert.Equal(new Tick("a"), deadLetters.ExpectMsg<Events.DeadLetter>().Message);
    }

    private sealed record Tick(string Name);

    private sealed record StartTimer(object Key, object Message, TimeSpan Delay, bool Periodic = false, TimeSpan? Interval = null);

    private sealed record CancelTimer(object Key);

    private sealed record BlockThen(object Key, bool Replace);

    private sealed record BlockThenFail;

    private sealed class TimerActor : ReceiveActor
    {
        public TimerActor(IActorRef probe, Gate? gate)
        {
            Receive<StartTimer>(s =>
            {
                try
                {
                    if (!s.Periodic)
                    {
                        Timers.StartSingleTimer(s.Key, s.Message, s.Delay);
                    }
                    else if (s.Interval is { } interval)
                    {
                        Timers.StartPeriodicTimer(s.Key, s.Message, s.Delay, interval);
                    }
                    else
                    {
                        Timers.StartPeriodicTimer(s.Key, s.Message, s.Delay);
                    }

                    Sender.Tell("started");
                }
                catch (ArgumentOutOfRangeException e)
                {
                    Sender.Tell("rejected " + e.ParamName);
                }
            });
            Receive<CancelTimer>(c =>
            {
                Timers.Cancel(c.Key);
                Sender.Tell("cancelled");
            });
            Receive<BlockThen>(b =>
            {
                gate!.Pass();
                if (b.Replace)
                {
                    Timers.StartSingleTimer(b.Key, new Tick("new"), TimeSpan.FromSeconds(3));
                    Sender.Tell("replaced");
                }
                else
                {
                    Timers.Cancel(b.Key);
                    Sender.Tell("cancelled");
                }
            });
            Receive<BlockThenFail>(_ =>
            {
                gate!.Pass();
                throw new BoomException();
            });
            Receive<Fail>(f => throw f.Cause);
            Receive<string>(_ => Sender.Tell("active:" + string.Join(",", Timers.ActiveTimers)), s => s == "active");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
            ReceiveAny(m => probe.Tell(m));
        }
    }
}
