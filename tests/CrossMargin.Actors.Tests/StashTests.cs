using System.Runtime.CompilerServices;
using CrossMargin.Actors.Events;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class StashTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Unstashed_messages_come_before_newer_mailbox_messages_in_their_original_order()
    {
        using var gate = new Gate();
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor, gate, instances)), "stasher");
        actor.Tell("block", TestActor);
        gate.WaitEntered();
        foreach (var m in new[] { "a", "b", "open", "c", "d" })
        {
            actor.Tell(m, TestActor);
        }

        gate.Open();
        Assert.Equal(["1:a", "1:b", "1:c", "1:d"], ReceiveN(4));
        Assert.Equal(0, StashCount(actor));
    }

    [Fact]
    public void Unstash_returns_only_the_oldest_message()
    {
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor, null, instances)), "stasher");
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        actor.Tell("one", TestActor);
        ExpectMsg("1:a");
        Assert.Equal(1, StashCount(actor));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Stash_is_returned_to_the_mailbox_on_restart()
    {
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor, null, instances)), "stasher");
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        Assert.Equal(2, StashCount(actor));
        actor.Tell(new Fail(new BoomException()), TestActor);
        actor.Tell("c", TestActor);

        // The second instance stashes too; opening it shows a and b came back, before c, in order.
        actor.Tell("open", TestActor);
        Assert.Equal(["2:a", "2:b", "2:c"], ReceiveN(3));
        Assert.Equal(2, instances.Value);
    }

    [Fact]
    public void Stash_becomes_dead_letters_on_stop()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor, null, instances)), "stasher");
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        Assert.Equal(2, StashCount(actor));
        Sys.Stop(actor);
        Assert.Equal("a", deadLetters.ExpectMsg<DeadLetter>().Message);
        var b = deadLetters.ExpectMsg<DeadLetter>();
        Assert.Equal("b", b.Message);
        Assert.Same(TestActor, b.Sender);
        Assert.Same(actor, b.Recipient);
    }

    [Fact]
    public void Stashing_the_same_message_twice_is_refused()
    {
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor, null, instances)), "stasher");
        actor.Tell("twice", TestActor);
        Assert.Contains("cannot be stashed twice", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    private int StashCount(IActorRef actor)
    {
        actor.Tell(new CountStash(), TestActor);
        return ExpectMsg<int>();
    }

    private sealed record CountStash;

    /// <summary>Stashes strings until "open" (unstash all) or "one" (unstash the oldest); then reports them with its instance number.</summary>
    private sealed class Stasher : ReceiveActor
    {
        public Stasher(IActorRef probe, Gate? gate, StrongBox<int> instances)
        {
            var instance = Interlocked.Increment(ref instances.Value);
            Receive<CountStash>(_ => Sender.Tell(Stash.Count));
            Receive<Fail>(f => throw f.Cause);
            Receive<string>(s =>
            {
                switch (s)
                {
                    case "block":
                        gate!.Pass();
                        break;
                    case "open":
                        Become(() =>
                        {
                            Receive<CountStash>(_ => Sender.Tell(Stash.Count));
                            Receive<string>(m => probe.Tell($"{instance}:{m}"));
                        });
                        Stash.UnstashAll();
                        break;
                    case "one":
                        Become(() =>
                        {
                            Receive<CountStash>(_ => Sender.Tell(Stash.Count));
                            Receive<string>(m =>
                            {
                                probe.Tell($"{instance}:{m}");
                                UnbecomeStacked();
                            });
                        });
                        Stash.Unstash();
                        break;
                    case "twice":
                        Stash.Stash();
                        try
                        {
                            Stash.Stash();
                            probe.Tell("stashed twice");
                        }
                        catch (InvalidOperationException e)
                        {
                            probe.Tell(e.Message);
                        }

                        break;
                    default:
                        Stash.Stash();
                        break;
                }
            });
        }
    }
}
