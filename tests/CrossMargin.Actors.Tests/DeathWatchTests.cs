using CrossMargin.Actors.Dispatch;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class DeathWatchTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Watcher_gets_Terminated_with_existence_confirmed_when_the_actor_stops()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        Sys.Stop(target);
        var terminated = ExpectMsg<Terminated>();
        Assert.Same(target, terminated.ActorRef);
        Assert.True(terminated.ExistenceConfirmed);
    }

    [Fact]
    public void Terminated_comes_after_every_message_the_dead_actor_sent_before_it_stopped()
    {
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        var chatty = Sys.ActorOf(Props.Create(() => new SendsThenStops(watcher, 200)), "chatty");
        watcher.Tell(new WatchIt(chatty), TestActor);
        ExpectMsg("watching");

        chatty.Tell("go", TestActor);

        var received = ReceiveN(201);
        Assert.Equal(Enumerable.Range(1, 200).Cast<object>(), received.Take(200));
        Assert.Same(chatty, Assert.IsType<Terminated>(received[200]).ActorRef);
    }

    [Fact]
    public void A_forwarded_Terminated_reaches_its_new_recipient()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        var relay = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "relay");
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        Sys.Stop(target);
        var terminated = ExpectMsg<Terminated>();

        relay.Tell(terminated, TestActor);

        Assert.Same(target, ExpectMsg<Terminated>().ActorRef);
    }

    [Fact]
    public void Watching_an_already_dead_actor_gives_Terminated_with_existence_not_confirmed()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);

        var late = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "late");
        late.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        var terminated = ExpectMsg<Terminated>();
        Assert.Same(target, terminated.ActorRef);
        Assert.False(terminated.ExistenceConfirmed);
    }

    [Fact]
    public void Watching_Nobody_or_DeadLetters_gives_Terminated_at_once()
    {
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        watcher.Tell(new WatchIt(ActorRefs.Nobody), TestActor);
        ExpectMsg("watching");
        Assert.False(ExpectMsg<Terminated>(t => ReferenceEquals(t.ActorRef, ActorRefs.Nobody)).ExistenceConfirmed);
        watcher.Tell(new WatchIt(Sys.DeadLetters), TestActor);
        ExpectMsg("watching");
        Assert.False(ExpectMsg<Terminated>(t => ReferenceEquals(t.ActorRef, Sys.DeadLetters)).ExistenceConfirmed);
    }

    [Fact]
    public void Watching_an_actor_that_stops_on_the_same_turn_still_gives_Terminated()
    {
        // The target asks to stop itself and, before its turn ends, the watcher's Watch lands in its system
        // inbox behind the Terminate: both are handled in one batch, and the watcher must still hear.
        using var gate = new Gate();
        var target = Sys.ActorOf(Props.Create(() => new StopsSelfThenWaits(gate)), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        target.Tell("stop", TestActor);
        gate.WaitEntered();
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        gate.Open();
        Assert.Same(target, ExpectMsg<Terminated>().ActorRef);
    }

    [Fact]
    public void Watching_twice_gives_one_Terminated()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        watcher.Tell(new WatchIt(target), TestActor);
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        ExpectMsg("watching");
        Sys.Stop(target);
        ExpectMsg<Terminated>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public void Unwatch_before_the_stop_means_no_Terminated()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        watcher.Tell(new UnwatchIt(target), TestActor);
        ExpectMsg("unwatched");
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target); // the probe hears; the watcher must not
        ExpectNoMsg(TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public void Unwatch_drops_a_Terminated_that_is_already_pending()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new UnwatchesLate(TestActor, target)), "watcher");
        watcher.Tell("hold", TestActor);
        watcher.Tell("go", TestActor);
        ExpectMsg("unwatched");
        watcher.Tell("ping", TestActor);
        ExpectMsg("pong");
        ExpectNoMsg(TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public void Unhandled_Terminated_fails_the_watcher_with_DeathPactException()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new IgnoresTerminated(target)), "watcher");
        watcher.Tell("ping", TestActor);
        ExpectMsg("pong");
        Watch(watcher);
        ExpectErrors<DeathPactException>(1, () => Sys.Stop(target));
        ExpectTerminated(watcher); // the default strategy stops on DeathPactException
        var error = Assert.Single(Logs.Errors<DeathPactException>());
        Assert.Contains("target", error.Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parent_watching_its_child_gets_Terminated_and_can_reuse_the_name()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Respawner(TestActor)), "parent");
        parent.Tell("spawn", TestActor);
        var first = ExpectMsg<IActorRef>();
        Assert.Equal("worker", first.Name);
        parent.Tell("stop-child", TestActor);
        var terminated = ExpectMsg<Terminated>();
        Assert.Same(first, terminated.ActorRef);
        Assert.True(terminated.ExistenceConfirmed);

        // Respawner started a new "worker" while handling Terminated: the name was free by then.
        var second = ExpectMsg<IActorRef>();
        Assert.Equal(first.Path, second.Path);
        Assert.NotSame(first, second);
        second.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    [Fact]
    public void A_child_watched_by_its_parent_and_by_another_actor_tells_each_of_them_once()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Respawner(TestActor)), "parent");
        parent.Tell("spawn", TestActor);
        var child = ExpectMsg<IActorRef>();
        var stranger = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "stranger");
        stranger.Tell(new WatchIt(child), TestActor);
        ExpectMsg("watching");

        parent.Tell("stop-child", TestActor);

        // The parent's Terminated (then its new worker) and the stranger's Terminated, in either order, and nothing more.
        var received = ReceiveN(3);
        Assert.Equal(2, received.OfType<Terminated>().Count(t => ReferenceEquals(t.ActorRef, child)));
        Assert.Single(received.OfType<IActorRef>());
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Stopped_watcher_unregisters_itself_from_its_targets()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)), "watcher");
        watcher.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        Watch(watcher);
        Sys.Stop(watcher);
        ExpectTerminated(watcher);
        var before = Sys.DeadLetterCount;
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);

        // A Terminated for the stopped watcher would have gone to dead letters.
        AwaitAssert(() => Assert.True(((ActorCell)target).IsTerminated));
        Assert.Equal(before, Sys.DeadLetterCount);
        Assert.Null(((ActorCell)target).Parent!.ChildByName("target"));
    }

    private sealed record WatchIt(IActorRef Target);

    private sealed record UnwatchIt(IActorRef Target);

    /// <summary>Watches on request and forwards Terminated to the probe.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef probe)
        {
            Receive<WatchIt>(w =>
            {
                Context.Watch(w.Target);
                Sender.Tell("watching");
            });
            Receive<UnwatchIt>(w =>
            {
                Context.Unwatch(w.Target);
                Sender.Tell("unwatched");
            });
            Receive<Terminated>(t => probe.Tell(t, Self));
            Receive<int>(i => probe.Tell(i, Self));
        }
    }

    /// <summary>On "go", sends 1..count to the watcher and stops in the same turn.</summary>
    private sealed class SendsThenStops : ReceiveActor
    {
        public SendsThenStops(IActorRef watcher, int count) => Receive<string>(_ =>
        {
            for (var i = 1; i <= count; i++)
            {
                watcher.Tell(i, Self);
            }

            Context.Stop(Self);
        });
    }

    private sealed class StopsSelfThenWaits : ReceiveActor
    {
        public StopsSelfThenWaits(Gate gate) => Receive<string>(_ =>
        {
            Context.Stop(Self);
            gate.Pass();
        });
    }

    /// <summary>
    /// Stashes "hold"; on "go" stops the target, waits until it is gone (so its Terminated is queued behind the
    /// unstashed "hold"), then unstashes; "hold" then unwatches, which must drop the queued Terminated.
    /// </summary>
    private sealed class UnwatchesLate : ReceiveActor
    {
        private bool _released;

        public UnwatchesLate(IActorRef probe, IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(s =>
            {
                switch (s)
                {
                    case "hold" when !_released:
                        Stash.Stash();
                        break;
                    case "hold":
                        Context.Unwatch(target);
                        probe.Tell("unwatched");
                        break;
                    case "go":
                        Context.System.Stop(target);
                        var clock = System.Diagnostics.Stopwatch.StartNew();
                        while (!((ActorCell)target).IsTerminated && clock.Elapsed < TimeSpan.FromSeconds(5))
                        {
                            Thread.Sleep(1);
                        }

                        Thread.Sleep(20); // the notification is sent right after the target is marked terminated
                        _released = true;
                        Stash.UnstashAll();
                        break;
                    default:
                        Sender.Tell("pong");
                        break;
                }
            });
            Receive<Terminated>(t => probe.Tell(t));
        }
    }

    private sealed class IgnoresTerminated : ReceiveActor
    {
        public IgnoresTerminated(IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(_ => Sender.Tell("pong"));
        }
    }

    private sealed class Respawner : ReceiveActor
    {
        public Respawner(IActorRef probe)
        {
            Receive<string>(_ => probe.Tell(Context.Watch(Context.ActorOf(Props.Create(() => new Counter()), "worker"))), s => s == "spawn");
            Receive<string>(_ => Context.Stop(Context.Child("worker")!), s => s == "stop-child");
            Receive<Terminated>(t =>
            {
                probe.Tell(t);
                probe.Tell(Context.ActorOf(Props.Create(() => new Counter()), "worker"));
            });
        }
    }
}
