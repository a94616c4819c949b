using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class OrderingTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Messages_from_one_sender_arrive_in_the_order_sent(int throughput)
    {
        const int Count = 20_000;
        var actor = Sys.ActorOf(Props.Create(() => new SequenceChecker()).WithThroughput(throughput), "checker");
        for (var i = 0; i < Count; i++)
        {
            actor.Tell(new Seq(0, i), TestActor);
        }

        actor.Tell("report", TestActor);
        var report = ExpectMsg<Report>(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(0, report.OutOfOrder);
        Assert.Equal(Count, report.Received);
    }

    [Fact]
    public void Many_thread_senders_interleave_but_each_keeps_its_own_order()
    {
        const int Producers = 8;
        const int PerProducer = 20_000;
        var actor = Sys.ActorOf(Props.Create(() => new SequenceChecker()).WithThroughput(7), "checker");
        using var start = new Barrier(Producers);
        var threads = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(5));
            for (var i = 0; i < PerProducer; i++)
            {
                actor.Tell(new Seq(p, i), ActorRefs.NoSender);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(20))));

        actor.Tell("report", TestActor);
        var report = ExpectMsg<Report>(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(0, report.OutOfOrder);
        Assert.Equal(Producers * PerProducer, report.Received);
        Assert.Equal(Producers, report.Producers);
    }

    [Fact]
    public void Actor_senders_keep_their_order_per_sender_receiver_pair()
    {
        const int Senders = 6;
        const int PerSender = 2_000;
        var receiver = Sys.ActorOf(Props.Create(() => new PerSenderChecker()), "receiver");
        var senders = Enumerable.Range(0, Senders)
            .Select(i => Sys.ActorOf(Props.Create(() => new Burst(receiver, PerSender)).WithThroughput(1), "sender" + i)).ToList();
        senders.ForEach(s => s.Tell("go", ActorRefs.NoSender));
        AwaitAssert(() =>
        {
            receiver.Tell("report", TestActor);
            var report = ExpectMsg<Report>();
            Assert.Equal(0, report.OutOfOrder);
            Assert.Equal(Senders * PerSender, report.Received);
            Assert.Equal(Senders, report.Producers);
        }, TimeSpan.FromSeconds(10));
    }

    internal sealed record Seq(int Producer, int Number);

    internal sealed record Report(int Received, int OutOfOrder, int Producers);

    /// <summary>Checks that each producer's numbers arrive as 0, 1, 2, ...</summary>
    private sealed class SequenceChecker : ReceiveActor
    {
        private readonly Dictionary<int, int> _next = [];
        private int _received;
        private int _outOfOrder;

        public SequenceChecker()
        {
            Receive<Seq>(s =>
            {
                _received++;
                var expected = _next.GetValueOrDefault(s.Producer);
                if (s.Number != expected)
                {
                    _outOfOrder++;
                }

                _next[s.Producer] = s.Number + 1;
            });
            Receive<string>(_ => Sender.Tell(new Report(_received, _outOfOrder, _next.Count)));
        }
    }

    /// <summary>Counts what it receives and how many arrived out of each sender's order (0, 1, 2, ...); "report" answers a <see cref="Report"/>.</summary>
    internal sealed class PerSenderChecker : ReceiveActor
    {
        private readonly Dictionary<IActorRef, int> _next = new(ReferenceEqualityComparer.Instance);
        private int _received;
        private int _outOfOrder;

        public PerSenderChecker()
        {
            Receive<int>(n =>
            {
                _received++;
                if (n != _next.GetValueOrDefault(Sender))
                {
                    _outOfOrder++;
                }

                _next[Sender] = n + 1;
            });
            Receive<string>(_ => Sender.Tell(new Report(_received, _outOfOrder, _next.Count)));
        }
    }

    /// <summary>On "go" sends 0..count-1 to the target, a slice per message so senders interleave.</summary>
    private sealed class Burst : ReceiveActor
    {
        private int _sent;

        public Burst(IActorRef target, int count)
        {
            Receive<string>(_ =>
            {
                for (var i = 0; i < 50 && _sent < count; i++)
                {
                    target.Tell(_sent++);
                }

                if (_sent < count)
                {
                    Self.Tell("go");
                }
            });
        }
    }
}
