using CrossMargin.Actors.Dispatch;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class EventStreamTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Subscribers_of_a_base_type_or_interface_receive_derived_events()
    {
        var byInterface = CreateTestProbe();
        var byBase = CreateTestProbe();
        var byDerived = CreateTestProbe();
        Sys.EventStream.Subscribe(byInterface.Ref, typeof(IMarketEvent));
        Sys.EventStream.Subscribe(byBase.Ref, typeof(PriceEvent));
        Sys.EventStream.Subscribe(byDerived.Ref, typeof(MarkPriceEvent));

        var price = new PriceEvent("BTC");
        var mark = new MarkPriceEvent("ETH");
        Sys.EventStream.Publish(price);
        Sys.EventStream.Publish(mark);

        Assert.Same(price, byInterface.ExpectMsg<PriceEvent>());
        Assert.Same(mark, byInterface.ExpectMsg<MarkPriceEvent>());
        Assert.Same(price, byBase.ExpectMsg<PriceEvent>());
        Assert.Same(mark, byBase.ExpectMsg<MarkPriceEvent>());
        Assert.Same(mark, byDerived.ExpectMsg<MarkPriceEvent>());
        byDerived.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Subscribing_to_object_receives_everything_once()
    {
        var all = CreateTestProbe();
        Assert.True(Sys.EventStream.Subscribe(all.Ref, typeof(object)));
        Assert.True(Sys.EventStream.Subscribe(all.Ref, typeof(IMarketEvent)));
        Sys.EventStream.Publish("text");
        Sys.EventStream.Publish(new PriceEvent("BTC"));
        all.ExpectMsg("text");
        all.ExpectMsg<PriceEvent>();
        all.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Subscribing_twice_to_a_channel_is_refused_and_delivers_once()
    {
        var probe = CreateTestProbe();
        Assert.True(Sys.EventStream.Subscribe(probe.Ref, typeof(PriceEvent)));
        Assert.False(Sys.EventStream.Subscribe(probe.Ref, typeof(PriceEvent)));
        Sys.EventStream.Publish(new PriceEvent("BTC"));
        probe.ExpectMsg<PriceEvent>();
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Unsubscribe_from_one_channel_keeps_the_others()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(PriceEvent));
        Sys.EventStream.Subscribe(probe.Ref, typeof(string));
        Assert.True(Sys.EventStream.Unsubscribe(probe.Ref, typeof(PriceEvent)));
        Assert.False(Sys.EventStream.Unsubscribe(probe.Ref, typeof(PriceEvent)));
        Sys.EventStream.Publish(new PriceEvent("BTC"));
        Sys.EventStream.Publish("still here");
        probe.ExpectMsg("still here");
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Unsubscribe_from_everything()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(PriceEvent));
        Sys.EventStream.Subscribe(probe.Ref, typeof(string));
        Sys.EventStream.Unsubscribe(probe.Ref);
        Sys.EventStream.Publish(new PriceEvent("BTC"));
        Sys.EventStream.Publish("gone");
        probe.ExpectNoMsg(Quiet);
        Assert.False(Sys.EventStream.Unsubscribe(probe.Ref, typeof(string)));
    }

    /// <summary>
    /// Once the parent has forgotten a stopped child, nothing published reaches it as a dead letter. The cell was marked
    /// terminated (so its parent already answered "no such child") before it left the event stream: a publish in that
    /// gap was a dead letter, about 1 in 150 stops (2 in 300 before the fix), and this test failed 2 of 6 suite runs. The
    /// rounds make the gap likely to be hit were it back.
    /// </summary>
    [Fact]
    public void A_stopped_subscriber_is_off_the_event_stream_once_its_parent_has_forgotten_it()
    {
        for (var round = 0; round < 200; round++)
        {
            var name = $"subscriber-{round}";
            var subscriber = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), name);
            Sys.EventStream.Subscribe(subscriber, typeof(PriceEvent));
            Sys.EventStream.Publish(new PriceEvent("BTC"));
            ExpectMsg<PriceEvent>();
            Sys.Stop(subscriber);

            var parent = ((ActorCell)subscriber).Parent!;
            AwaitCondition(() => parent.ChildByName(name) is null);
            var before = Sys.DeadLetterCount;
            Sys.EventStream.Publish(new PriceEvent("ETH"));
            Assert.True(before == Sys.DeadLetterCount, $"round {round}: a publish after the parent forgot the subscriber was a dead letter");
            Assert.False(Sys.EventStream.Unsubscribe(subscriber, typeof(PriceEvent)));
        }
    }

    [Fact]
    public void Publish_and_subscribe_reject_null()
    {
        Assert.Throws<ArgumentNullException>(() => Sys.EventStream.Publish(null!));
        Assert.Throws<ArgumentNullException>(() => Sys.EventStream.Subscribe(null!, typeof(string)));
        Assert.Throws<ArgumentNullException>(() => Sys.EventStream.Subscribe(TestActor, null!));
    }

    [Fact]
    public async Task Concurrent_publishers_and_subscribers_lose_no_events_for_steady_subscribers()
    {
        var steady = CreateTestProbe();
        Sys.EventStream.Subscribe(steady.Ref, typeof(PriceEvent));
        var churn = Enumerable.Range(0, 20).Select(_ => CreateTestProbe()).ToList();
        var publisher = Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                Sys.EventStream.Publish(new PriceEvent("S" + i));
            }
        });
        foreach (var probe in churn)
        {
            Sys.EventStream.Subscribe(probe.Ref, typeof(PriceEvent));
            Sys.EventStream.Unsubscribe(probe.Ref);
        }

        await publisher.WaitAsync(TimeSpan.FromSeconds(10));
        var received = steady.ReceiveN(500).Cast<PriceEvent>().Select(e => e.Symbol).ToList();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => "S" + i), received);
    }

    private interface IMarketEvent;

    private record PriceEvent(string Symbol) : IMarketEvent;

    private sealed record MarkPriceEvent(string Symbol) : PriceEvent(Symbol);
}
