using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class MailboxCounterTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Messages_waiting_behind_a_busy_actor_are_counted_until_it_takes_them()
    {
        var counter = new MailboxCounter();
        using var gate = new Gate();
        var actor = Sys.ActorOf(Props.Create(() => new Holding(gate, TestActor)).WithMailboxCounter(counter));

        actor.Tell("first", TestActor);
        gate.WaitEntered();
        for (var i = 0; i < 5; i++)
        {
            actor.Tell("next", TestActor);
        }

        // The first message is being processed: it left the mailbox, the five behind it did not.
        Assert.Equal(5, counter.Count);
        gate.Open();
        ReceiveN(6);
        Assert.Equal(0, counter.Count);
    }

    [Fact]
    public void One_counter_adds_up_the_mailboxes_of_every_actor_that_shares_it_and_no_other()
    {
        var counter = new MailboxCounter();
        using var gate = new Gate();
        using var otherGate = new Gate();
        var a = Sys.ActorOf(Props.Create(() => new Holding(gate, TestActor)).WithMailboxCounter(counter));
        var b = Sys.ActorOf(Props.Create(() => new Holding(gate, TestActor)).WithMailboxCounter(counter).WithThroughput(5));
        var uncounted = Sys.ActorOf(Props.Create(() => new Holding(otherGate, TestActor)));
        foreach (var actor in new[] { a, b, uncounted })
        {
            actor.Tell("first", TestActor);
        }

        gate.WaitEntered();
        otherGate.WaitEntered();
        a.Tell("next", TestActor);
        b.Tell("next", TestActor);
        b.Tell("next", TestActor);
        uncounted.Tell("next", TestActor);

        // b may still be on its way to the gate with "first" taken: either way it has two waiting.
        AwaitCondition(() => counter.Count == 3);
        gate.Open();
        otherGate.Open();
        ReceiveN(7);
        Assert.Equal(0, counter.Count);
    }

    [Fact]
    public void Messages_left_in_a_stopped_actors_mailbox_go_to_dead_letters_and_leave_the_count()
    {
        var counter = new MailboxCounter();
        using var gate = new Gate();
        var actor = Sys.ActorOf(Props.Create(() => new Holding(gate, TestActor)).WithMailboxCounter(counter));
        Watch(actor);
        actor.Tell("first", TestActor);
        gate.WaitEntered();
        var deadLetters = Sys.DeadLetterCount;
        for (var i = 0; i < 4; i++)
        {
            actor.Tell("stranded", TestActor);
        }

        Sys.Stop(actor);
        Assert.Equal(4, counter.Count);
        gate.Open();
        ExpectMsg<string>(s => s == "first");
        ExpectTerminated(actor);
        Assert.Equal(0, counter.Count);
        Assert.Equal(deadLetters + 4, Sys.DeadLetterCount);
    }

    [Fact]
    public void Many_senders_to_many_counted_actors_bring_the_count_back_to_zero()
    {
        var counter = new MailboxCounter();
        var actors = Enumerable.Range(0, 16).Select(_ => Sys.ActorOf(Props.Create(() => new Counter()).WithMailboxCounter(counter))).ToArray();

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                actors[i % actors.Length].Tell("inc", ActorRefs.NoSender);
            }
        });

        // Each actor answers "get" after every "inc" sent before it: then the mailboxes are empty.
        foreach (var actor in actors)
        {
            actor.Tell("get", TestActor);
        }

        Assert.Equal(100_000, ReceiveN(actors.Length).Cast<int>().Sum());
        AwaitCondition(() => counter.Count == 0);
    }

    /// <summary>Holds its first message at the gate, and echoes every message to <c>echo</c>.</summary>
    private sealed class Holding : ReceiveActor
    {
        public Holding(Gate gate, IActorRef echo)
        {
            var held = false;
            Receive<string>(message =>
            {
                if (!held)
                {
                    held = true;
                    gate.Pass();
                }

                echo.Tell(message, Self);
            });
        }
    }
}
