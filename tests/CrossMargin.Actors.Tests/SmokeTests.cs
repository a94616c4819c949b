using CrossMargin.Actors.Supervision;

namespace CrossMargin.Actors.Tests;

public sealed class SmokeTests : TestKit.TestKit
{
    private sealed class Echo : ReceiveActor
    {
        private int _count;

        public Echo()
        {
            Receive<string>(s => Sender.Tell(s + ":" + ++_count));
            Receive<int>(i => throw new InvalidOperationException("boom " + i));
        }
    }

    [Fact]
    public void Echo_replies_to_sender_and_keeps_state()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        echo.Tell("a", TestActor);
        echo.Tell("b", TestActor);
        ExpectMsg("a:1");
        ExpectMsg("b:2");
    }

    [Fact]
    public async Task Ask_gets_reply_and_times_out_with_target_named()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        Assert.Equal("x:1", await echo.Ask<string>("x", TimeSpan.FromSeconds(3)));
        var silent = Sys.ActorOf(Props.Create(() => new Silent()), "silent");
        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<string>("x", TimeSpan.FromMilliseconds(50)));
        Assert.Contains("silent", e.Message, StringComparison.Ordinal);
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restart_drops_state_and_keeps_mailbox()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        echo.Tell("a", TestActor);
        ExpectMsg("a:1");
        ExpectErrors<InvalidOperationException>(1, () =>
        {
            echo.Tell(1, TestActor);
            echo.Tell("b", TestActor);
        });
        ExpectMsg("b:1");
    }

    [Fact]
    public void Stopped_actor_notifies_watcher_and_dead_letters_follow()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        Watch(echo);
        echo.Tell(PoisonPill.Instance, null);
        ExpectTerminated(echo);
        var before = Sys.DeadLetterCount;
        echo.Tell("late", TestActor);
        AwaitCondition(() => Sys.DeadLetterCount > before);
        var probe = CreateTestProbe();
        probe.Watch(echo);
        Assert.False(probe.ExpectTerminated(echo).ExistenceConfirmed);
    }

    [Fact]
    public async Task Restart_limit_zero_stops_the_child()
    {
        var strategy = new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Restart);
        var parent = Sys.ActorOf(Props.Create(() => new Parent()).WithSupervisorStrategy(strategy), "parent");
        var child = await parent.Ask<IActorRef>("child", TimeSpan.FromSeconds(3));
        Watch(child);
        child.Tell(1, TestActor);
        ExpectTerminated(child);
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    private sealed class Parent : ReceiveActor
    {
        public Parent()
        {
            var child = Context.ActorOf(Props.Create(() => new Echo()), "c");
            Receive<string>(_ => Sender.Tell(child));
        }
    }
}
