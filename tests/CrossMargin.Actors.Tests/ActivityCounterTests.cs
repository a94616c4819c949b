using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class ActivityCounterTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void A_chain_of_messages_has_reached_its_end_when_the_system_is_idle()
    {
        var last = Sys.ActorOf(Props.Create(() => new Relay(TestActor)), "r0");
        for (var i = 1; i <= 20; i++)
        {
            var next = last;
            last = Sys.ActorOf(Props.Create(() => new Relay(next)), $"r{i}");
        }

        last.Tell(0, TestActor);
        AwaitIdle();

        // No waiting here: idle means the 21 hops are done and the answer is in the probe.
        Assert.Equal(1, Probe.QueuedCount);
        ExpectMsg(21, TimeSpan.Zero);
        Assert.Equal(0, Activity.Pending);
    }

    [Fact]
    public void A_held_mailbox_keeps_the_system_busy_until_its_rest_has_run()
    {
        var resume = new StrongBox<Action<Exception?>?>();
        var holder = Sys.ActorOf(Props.Create(() => new Holder(TestActor, resume)), "holder");
        holder.Tell("hold", TestActor);
        ExpectMsg("holding");

        // Its message's turn ends at once; only the hold keeps the system busy.
        Assert.Throws<TestKit.TestKitAssertionException>(() => AwaitIdle(TimeSpan.FromMilliseconds(300)));
        Assert.NotEqual(0, Activity.Pending);

        resume.Value!(null);
        AwaitIdle();
        ExpectMsg("resumed", TimeSpan.Zero);
    }

    [Fact]
    public void An_async_handler_keeps_the_system_busy_until_its_task_completes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Sys.ActorOf(Props.Create(() => new Awaiter(TestActor, gate.Task)), "awaiter");
        worker.Tell("go", TestActor);
        ExpectMsg("started");
        Assert.Throws<TestKit.TestKitAssertionException>(() => AwaitIdle(TimeSpan.FromMilliseconds(300)));
        Assert.NotEqual(0, Activity.Pending);

        gate.SetResult();
        AwaitIdle();
        ExpectMsg("done", TimeSpan.Zero);
    }

    [Fact]
    public void A_stashed_message_does_not_keep_the_system_busy_but_counts_again_once_unstashed()
    {
        var stasher = Sys.ActorOf(Props.Create(() => new Stasher(TestActor)), "stasher");
        stasher.Tell("later", TestActor);
        AwaitIdle();
        Assert.Equal(0, Probe.QueuedCount);

        stasher.Tell("open", TestActor);
        AwaitIdle();
        ExpectMsg("handled later", TimeSpan.Zero);
    }

    private sealed class Relay(IActorRef next) : ActorBase
    {
        protected internal override bool Receive(object message)
        {
            // A little work per hop, so a look that does not wait for the chain would find it unfinished.
            Thread.SpinWait(20_000);
            next.Tell((int)message + 1, Self);
            return true;
        }
    }

    private sealed class Holder(IActorRef probe, StrongBox<Action<Exception?>?> resume) : ActorBase
    {
        protected internal override bool Receive(object message)
        {
            resume.Value = HoldMailbox(static (IActorRef p, Exception? _) => p.Tell("resumed"), probe);
            probe.Tell("holding");
            return true;
        }
    }

    private sealed class Awaiter : ReceiveActor
    {
        public Awaiter(IActorRef probe, Task gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("started");
                await gate;
                probe.Tell("done");
            });
        }
    }

    private sealed class Stasher(IActorRef probe) : ActorBase
    {
        private bool _open;

        protected internal override bool Receive(object message)
        {
            if (message is "open")
            {
                _open = true;
                Stash.UnstashAll();
            }
            else if (_open)
            {
                probe.Tell("handled " + message);
            }
            else
            {
                Stash.Stash();
            }

            return true;
        }
    }
}
