using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class ReceiveTimeoutTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>Starts an actor with a one-second receive timeout and waits until it is running.</summary>
    private IActorRef StartIdle()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Idle(TestActor, Timeout)), "idle");
        Sync(actor);
        return actor;
    }

    /// <summary>
    /// A round trip with a message that does not influence the timeout: when it returns, every earlier
    /// message has been processed and has reset the timer (a reset happens after its handler returns).
    /// </summary>
    private void Sync(IActorRef actor)
    {
        actor.Tell(new Quietly(), TestActor);
        ExpectMsg("probed");
    }

    [Fact]
    public void Receive_timeout_fires_after_the_idle_period_and_again_after_each_further_one()
    {
        StartIdle();
        Time!.Advance(Timeout - Ms);
        ExpectNoMsg(Quiet);
        Time.Advance(Ms);
        ExpectMsg("timeout");
        Time.Advance(Timeout);
        ExpectMsg("timeout");
    }

    [Fact]
    public void A_message_resets_the_receive_timeout()
    {
        var actor = StartIdle();
        Time!.Advance(TimeSpan.FromMilliseconds(800));
        actor.Tell("activity", TestActor);
        ExpectMsg("ack:activity");
        Sync(actor);
        Time.Advance(TimeSpan.FromMilliseconds(800)); // 1.6 s since start, 0.8 s since the message
        ExpectNoMsg(Quiet);
        Time.Advance(TimeSpan.FromMilliseconds(200));
        ExpectMsg("timeout");
    }

    [Fact]
    public void A_timer_delivering_an_INotInfluenceReceiveTimeout_message_does_not_reset_it()
    {
        var actor = StartIdle();
        actor.Tell("quiet-timer", TestActor);
        ExpectMsg("timer-on");
        Sync(actor);
        for (var tick = 1; tick <= 3; tick++)
        {
            // Each tick's Quietly answers its (absent) sender: a dead letter shows it was processed.
            var before = Sys.DeadLetterCount;
            Time!.Advance(TimeSpan.FromMilliseconds(300));
            AwaitCondition(() => Sys.DeadLetterCount > before);
        }

        Time!.Advance(TimeSpan.FromMilliseconds(100));
        ExpectMsg("timeout");
    }

    [Fact]
    public void INotInfluenceReceiveTimeout_messages_do_not_reset_it()
    {
        var actor = StartIdle();
        Time!.Advance(TimeSpan.FromMilliseconds(800));
        Sync(actor);
        Time.Advance(TimeSpan.FromMilliseconds(200));
        ExpectMsg("timeout");
    }

    [Fact]
    public void Null_turns_the_receive_timeout_off()
    {
        var actor = StartIdle();
        actor.Tell("off", TestActor);
        ExpectMsg("off:");
        Assert.Equal(0, Time!.ActiveTimers);
        Time.Advance(Timeout * 5);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Context_reports_the_current_receive_timeout()
    {
        var actor = StartIdle();
        actor.Tell("current", TestActor);
        ExpectMsg("current:" + Timeout);
    }

    [Fact]
    public void Non_positive_receive_timeout_is_rejected()
    {
        var actor = StartIdle();
        actor.Tell(TimeSpan.Zero, TestActor);
        Assert.Contains("must be positive", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Receive_timeout_is_cancelled_when_the_actor_stops()
    {
        var actor = StartIdle();
        Assert.Equal(1, Time!.ActiveTimers);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void An_actor_busy_with_one_message_for_longer_than_its_receive_timeout_is_not_told_it_was_idle()
    {
        using var gate = new Gate();
        var actor = Sys.ActorOf(Props.Create(() => new Idle(TestActor, Timeout, gate)), "idle");
        Sync(actor);
        actor.Tell("block", TestActor);
        gate.WaitEntered();

        // The handler takes three and a half timeouts: the actor is busy all along, never idle.
        Time!.Advance(Timeout * 3.5);
        gate.Open();
        ExpectMsg("ack:block");
        Sync(actor);

        // Idle from the end of that message on.
        Time.Advance(Timeout - Ms);
        ExpectNoMsg(Quiet);
        Time.Advance(Ms);
        ExpectMsg("timeout");
    }

    [Fact]
    public void An_actor_awaiting_an_async_handler_for_longer_than_its_receive_timeout_is_not_told_it_was_idle()
    {
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new Busy(TestActor, Timeout, outcome.Task, null)), "busy");
        Sync(actor);
        actor.Tell("await", TestActor);
        ExpectMsg("awaiting");

        // The mailbox is held by the handler's task for three and a half timeouts: busy, not idle.
        Time!.Advance(Timeout * 3.5);
        outcome.SetResult();
        ExpectMsg("ack:await");
        Sync(actor);

        // Idle from the end of the handler's task on.
        Time.Advance(Timeout - Ms);
        ExpectNoMsg(Quiet);
        Time.Advance(Ms);
        ExpectMsg("timeout");
    }

    [Fact]
    public void An_actor_holding_its_mailbox_for_longer_than_its_receive_timeout_is_not_told_it_was_idle()
    {
        var resume = new System.Runtime.CompilerServices.StrongBox<Action<Exception?>?>();
        var actor = Sys.ActorOf(Props.Create(() => new Busy(TestActor, Timeout, Task.CompletedTask, resume)), "busy");
        Sync(actor);
        actor.Tell("hold", TestActor);
        ExpectMsg("holding");

        // A persistent actor's write holds the mailbox like this until the journal answers: busy, not idle.
        Time!.Advance(Timeout * 3.5);
        resume.Value!(null);
        ExpectMsg("ack:hold");
        Sync(actor);

        // Idle from the end of the hold on.
        Time.Advance(Timeout - Ms);
        ExpectNoMsg(Quiet);
        Time.Advance(Ms);
        ExpectMsg("timeout");
    }

    private sealed record Quietly : INotInfluenceReceiveTimeout;

    /// <summary>With a receive timeout; "await" holds its mailbox on a task, "hold" holds it until the test resumes it.</summary>
    private sealed class Busy : ReceiveActor
    {
        public Busy(IActorRef probe, TimeSpan timeout, Task outcome, System.Runtime.CompilerServices.StrongBox<Action<Exception?>?>? resume)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ => probe.Tell("timeout"));
            Receive<Quietly>(_ => Sender.Tell("probed"));
            ReceiveAsync<string>(async _ =>
            {
                Sender.Tell("awaiting");
                await outcome;
                Sender.Tell("ack:await");
            }, s => s == "await");
            Receive<string>(_ =>
            {
                resume!.Value = HoldMailbox<IActorRef>((sender, _) => sender.Tell("ack:hold"), Sender);
                Sender.Tell("holding");
            }, s => s == "hold");
        }
    }

    private sealed class Idle : ReceiveActor
    {
        public Idle(IActorRef probe, TimeSpan timeout, Gate? gate = null)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ => probe.Tell("timeout"));
            Receive<Quietly>(_ => Sender.Tell("probed"));
            Receive<TimeSpan>(t =>
            {
                try
                {
                    Context.SetReceiveTimeout(t);
                    Sender.Tell("set");
                }
                catch (ArgumentOutOfRangeException e)
                {
                    Sender.Tell(e.Message);
                }
            });
            Receive<string>(s =>
            {
                switch (s)
                {
                    case "off":
                        Context.SetReceiveTimeout(null);
                        Sender.Tell("off:" + Context.ReceiveTimeout);
                        break;
                    case "current":
                        Sender.Tell("current:" + Context.ReceiveTimeout);
                        break;
                    case "block":
                        gate!.Pass();
                        Sender.Tell("ack:block");
                        break;
                    case "quiet-timer":
                        Timers.StartPeriodicTimer("quiet", new Quietly(), TimeSpan.FromMilliseconds(300));
                        Sender.Tell("timer-on");
                        break;
                    default:
                        Sender.Tell("ack:" + s);
                        break;
                }
            });
        }
    }
}
