using System.Runtime.CompilerServices;
using CrossMargin.Actors.Events;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class LifecycleTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Stop_turns_the_queued_messages_into_dead_letters_in_order()
    {
        using var gate = new Gate();
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var actor = Sys.ActorOf(Props.Create(() => new Blocker(gate, TestActor)), "blocker");
        actor.Tell("first", TestActor);
        gate.WaitEntered();
        actor.Tell("q1", TestActor);
        actor.Tell("q2", TestActor);
        actor.Tell("q3", TestActor);
        var before = Sys.DeadLetterCount;
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        Sys.Stop(actor); // overtakes the mailbox: q1..q3 are never processed
        gate.Open();
        ExpectMsg("done first");
        watcher.ExpectTerminated(actor);

        foreach (var expected in new[] { "q1", "q2", "q3" })
        {
            var letter = deadLetters.ExpectMsg<DeadLetter>();
            Assert.Equal(expected, letter.Message);
            Assert.Same(actor, letter.Recipient);
            Assert.Same(TestActor, letter.Sender);
        }

        actor.Tell("late", TestActor);
        Assert.Equal("late", deadLetters.ExpectMsg<DeadLetter>().Message);
        Assert.Equal(before + 4, Sys.DeadLetterCount);
    }

    [Fact]
    public void PoisonPill_processes_the_earlier_messages_first()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var actor = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), "fwd");
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        actor.Tell(PoisonPill.Instance, TestActor);
        actor.Tell("c", TestActor);
        ExpectMsg("a");
        ExpectMsg("b");
        watcher.ExpectTerminated(actor);
        Assert.Equal("c", deadLetters.ExpectMsg<DeadLetter>().Message);
    }

    [Fact]
    public void Children_stop_before_their_parents()
    {
        var instances = new StrongBox<int>();
        Props Leaf(string id) => Props.Create(() => new LifecycleRecorder(TestActor, id, instances));
        Props Node(string id, params (string, Props)[] children) => Props.Create(() => new LifecycleRecorder(TestActor, id, instances, children));
        var root = Sys.ActorOf(Node("root", ("a", Node("a", ("a1", Leaf("a1")), ("a2", Leaf("a2")))), ("b", Node("b", ("b1", Leaf("b1"))))), "root");
        ReceiveN(12); // ctor and PreStart of six actors
        Sys.Stop(root);
        var stops = ReceiveN(6).Cast<string>().Select(s => s[..s.IndexOf('#', StringComparison.Ordinal)]).ToList();
        Assert.Equal("root", stops[^1]);
        Assert.True(stops.IndexOf("a1") < stops.IndexOf("a") && stops.IndexOf("a2") < stops.IndexOf("a"), string.Join(",", stops));
        Assert.True(stops.IndexOf("b1") < stops.IndexOf("b"), string.Join(",", stops));
    }

    [Fact]
    public void PostStop_runs_once_and_the_actor_is_gone_from_its_parent()
    {
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new LifecycleRecorder(TestActor, "x", instances)), "x");
        ExpectMsg("x#1:ctor");
        ExpectMsg("x#1:PreStart");
        var watcher = CreateTestProbe(); // Terminated overtakes queued messages, so it goes to its own probe
        watcher.Watch(actor);
        actor.Tell(PoisonPill.Instance, TestActor);
        ExpectMsg("x#1:PostStop");
        watcher.ExpectTerminated(actor);
        Sys.Stop(actor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Context_Stop_of_self_lets_the_current_message_finish()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StopsSelf(TestActor)), "self-stopper");
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        actor.Tell("stop", TestActor);
        actor.Tell("after", TestActor);
        ExpectMsg("still running");
        watcher.ExpectTerminated(actor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // "after" was not processed
    }

    [Fact]
    public void Stopping_someone_elses_child_through_the_context_is_refused()
    {
        var other = Sys.ActorOf(Props.Create(() => new Counter()), "other");
        var actor = Sys.ActorOf(Props.Create(() => new StopsOther(other, TestActor)), "stopper");
        actor.Tell("go", TestActor);
        Assert.Contains("can stop itself or its children", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Children_are_listed_and_found_by_name()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("a", Props.Create(() => new Counter())), ("b", Props.Create(() => new Counter())))), "p");
        parent.Tell(new GetChild("a"), TestActor);
        Assert.Equal("a", ExpectMsg<IActorRef>().Name);
        parent.Tell(new GetChild("zzz"), TestActor);
        Assert.Same(ActorRefs.Nobody, ExpectMsg<IActorRef>());
    }

    [Fact]
    public async Task Terminate_completes_WhenTerminated_and_later_sends_become_dead_letters()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(Sys.WhenTerminated.IsCompletedSuccessfully);
        var before = Sys.DeadLetterCount;
        actor.Tell("inc", ActorRefs.NoSender);
        Assert.Equal(before + 1, Sys.DeadLetterCount);
    }

    private sealed class Blocker : ReceiveActor
    {
        public Blocker(Gate gate, IActorRef probe) => Receive<string>(s =>
        {
            if (s == "first")
            {
                gate.Pass();
            }

            probe.Tell("done " + s);
        });
    }

    private sealed class StopsSelf : ReceiveActor
    {
        public StopsSelf(IActorRef probe) => Receive<string>(s =>
        {
            if (s == "stop")
            {
                Context.Stop(Self);
                probe.Tell("still running");
            }
            else
            {
                probe.Tell("processed " + s);
            }
        });
    }

    /// <summary>
    /// A child's name is free once the child has terminated, though its parent has not yet heard (the parent is busy):
    /// a watcher told Terminated can have the name taken again at once. Before, the name stayed held until the parent
    /// processed the child's end, so re-creating a stopped actor by name right after its Terminated raced the parent
    /// ("not unique ... a live actor already has it", seen as a flaky restart test). The parent still hears of the old
    /// child's end afterwards without losing the new one.
    /// </summary>
    [Fact]
    public void A_stopped_childs_name_is_free_once_a_watcher_is_told_though_its_parent_is_still_busy()
    {
        using var gate = new Gate();
        var parent = Sys.ActorOf(Props.Create(() => new Respawner(gate)), "respawner");
        parent.Tell("child", TestActor);
        var first = ExpectMsg<IActorRef>();
        Watch(first);
        parent.Tell("respawn", TestActor);
        gate.WaitEntered();

        first.Tell(PoisonPill.Instance, ActorRefs.NoSender);
        ExpectTerminated(first);
        gate.Open();

        Assert.Equal("respawned", ExpectMsg<string>());
        parent.Tell("child", TestActor);
        var second = ExpectMsg<IActorRef>();
        Assert.NotEqual(first, second);
        second.Tell("ping", TestActor);
        ExpectMsg("pong");
        Watch(second);
        second.Tell(PoisonPill.Instance, ActorRefs.NoSender);
        ExpectTerminated(second);
        parent.Tell("child", TestActor);
        Assert.Equal("no child", ExpectMsg<string>());
    }

    private sealed class Respawner : ReceiveActor
    {
        public Respawner(Gate gate)
        {
            Context.ActorOf(Props.Create(() => new Counter()), "kid");
            Receive<string>(_ => Sender.Tell(Context.Child("kid") is { } kid ? kid : "no child"), s => s == "child");
            Receive<string>(_ =>
            {
                gate.Pass();
                try
                {
                    Context.ActorOf(Props.Create(() => new Counter()), "kid");
                    Sender.Tell("respawned");
                }
                catch (InvalidActorNameException e)
                {
                    Sender.Tell(e.Message);
                }
            }, s => s == "respawn");
        }
    }

    private sealed class StopsOther : ReceiveActor
    {
        public StopsOther(IActorRef other, IActorRef probe) => Receive<string>(_ =>
        {
            try
            {
                Context.Stop(other);
                probe.Tell("stopped");
            }
            catch (InvalidOperationException e)
            {
                probe.Tell(e.Message);
            }
        });
    }
}
