using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>Load tests run alone, so they neither slow down nor are slowed by the timing-sensitive tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressRunAlone
{
    public const string Name = "Stress";
}

[Collection(StressRunAlone.Name)]
public sealed class StressTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static void RunProducers(int producers, Action<int> produce)
    {
        using var start = new Barrier(producers);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(5));
            produce(p);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(Bound), "a producer did not finish in time"));
    }

    [Fact]
    public void Eight_producers_times_100k_messages_to_one_actor_lose_and_duplicate_nothing()
    {
        const int Producers = 8;
        const int PerProducer = 100_000;
        var actor = Sys.ActorOf(Props.Create(() => new SequenceTracker(Producers)), "sink");
        RunProducers(Producers, p =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                actor.Tell(new Numbered(p, i), ActorRefs.NoSender);
            }
        });

        actor.Tell("report", TestActor);
        var report = ExpectMsg<TrackReport>(timeout: Bound);
        Assert.Equal(Producers * PerProducer, report.Received);
        Assert.Equal(0, report.Gaps);
        Assert.Equal(0, report.Duplicates);
        Assert.All(report.Next, n => Assert.Equal(PerProducer, n));
    }

    [Fact]
    public void Many_producers_to_many_actors_lose_and_duplicate_nothing()
    {
        const int Actors = 400;
        const int Producers = 4;
        const int PerActor = 250;
        var actors = Enumerable.Range(0, Actors)
            .Select(i => Sys.ActorOf(Props.Create(() => new SequenceTracker(Producers)).WithThroughput(5), "sink" + i)).ToArray();
        RunProducers(Producers, p =>
        {
            for (var i = 0; i < PerActor; i++)
            {
                foreach (var actor in actors)
                {
                    actor.Tell(new Numbered(p, i), ActorRefs.NoSender);
                }
            }
        });

        foreach (var actor in actors)
        {
            actor.Tell("report", TestActor);
        }

        var reports = ReceiveN(Actors, Bound).Cast<TrackReport>().ToList();
        Assert.All(reports, r =>
        {
            Assert.Equal(Producers * PerActor, r.Received);
            Assert.Equal(0, r.Gaps + r.Duplicates);
        });
    }

    [Fact]
    public void Actors_messaging_each_other_under_load_deliver_everything()
    {
        const int Pairs = 200;
        const int Rounds = 500;
        var pongers = Enumerable.Range(0, Pairs).Select(i => Sys.ActorOf(Props.Create(() => new Ponger()), "ponger" + i)).ToArray();
        var pingers = pongers.Select((p, i) => Sys.ActorOf(Props.Create(() => new Pinger(p, Rounds, TestActor)), "pinger" + i)).ToArray();
        foreach (var pinger in pingers)
        {
            pinger.Tell("start", ActorRefs.NoSender);
        }

        var finished = ReceiveN(Pairs, Bound).Cast<int>().ToList();
        Assert.All(finished, rounds => Assert.Equal(Rounds, rounds));
    }

    internal sealed record Numbered(int Producer, int Number);

    internal sealed record TrackReport(int Received, int Gaps, int Duplicates, int[] Next);

    private sealed class SequenceTracker : ReceiveActor
    {
        public SequenceTracker(int producers)
        {
            var next = new int[producers];
            var received = 0;
            var gaps = 0;
            var duplicates = 0;
            Receive<Numbered>(n =>
            {
                received++;
                if (n.Number < next[n.Producer])
                {
                    duplicates++;
                }
                else if (n.Number > next[n.Producer])
                {
                    gaps++;
                }

                next[n.Producer] = Math.Max(next[n.Producer], n.Number + 1);
            });
            Receive<string>(_ => Sender.Tell(new TrackReport(received, gaps, duplicates, [.. next])));
        }
    }

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => Receive<int>(n => Sender.Tell(n + 1));
    }

    private sealed class Pinger : ReceiveActor
    {
        public Pinger(IActorRef ponger, int rounds, IActorRef report)
        {
            var expected = 1;
            Receive<string>(_ => ponger.Tell(0));
            Receive<int>(n =>
            {
                if (n != expected)
                {
                    report.Tell(-n);
                    return;
                }

                if (expected == rounds)
                {
                    report.Tell(rounds);
                    return;
                }

                expected++;
                ponger.Tell(n);
            });
        }
    }
}
