using System.Runtime.CompilerServices;
using CrossMargin.Actors.Supervision;
using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class SupervisionTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private IActorRef ChildOf(IActorRef parent, string name)
    {
        parent.Tell(new GetChild(name), TestActor);
        return ExpectMsg<IActorRef>(c => !ReferenceEquals(c, ActorRefs.Nobody));
    }

    private IActorRef SuperviseCounter(SupervisorStrategy strategy, string childName = "child")
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent((childName, Props.Create(() => new Counter())))).WithSupervisorStrategy(strategy), "parent");
        return ChildOf(parent, childName);
    }

    private int CountOf(IActorRef counter)
    {
        counter.Tell("get", TestActor);
        return ExpectMsg<int>();
    }

    [Fact]
    public void Resume_keeps_the_state_and_drops_the_failing_message()
    {
        var child = SuperviseCounter(new OneForOneStrategy(_ => Directive.Resume));
        child.Tell("inc", TestActor);
        child.Tell("inc", TestActor);
        child.Tell(new Fail(new BoomException()), TestActor);
        child.Tell("inc", TestActor);
        Assert.Equal(3, CountOf(child));
    }

    [Fact]
    public void Resume_is_logged_as_a_warning_not_an_error()
    {
        var child = SuperviseCounter(new OneForOneStrategy(_ => Directive.Resume));
        child.Tell(new Fail(new BoomException()), TestActor);
        Assert.Equal(0, CountOf(child));
        Assert.Empty(Logs.Errors<BoomException>());
        Assert.Contains(Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Exception is BoomException);
    }

    [Fact]
    public void Restart_drops_the_state()
    {
        var child = SuperviseCounter(new OneForOneStrategy(_ => Directive.Restart));
        child.Tell("inc", TestActor);
        child.Tell("inc", TestActor);
        Assert.Equal(2, CountOf(child));
        ExpectErrors<BoomException>(1, () => child.Tell(new Fail(new BoomException()), TestActor));
        child.Tell("inc", TestActor);
        Assert.Equal(1, CountOf(child));
    }

    [Fact]
    public void Restart_keeps_the_mailbox_and_drops_the_state()
    {
        using var gate = new Gate();
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new GatedCounter(gate, instances)), "gated");
        actor.Tell("inc", TestActor);
        actor.Tell("block", TestActor);
        gate.WaitEntered();

        // Queued behind the failing message while the first instance is busy.
        actor.Tell(new Fail(new BoomException()), TestActor);
        actor.Tell("inc", TestActor);
        actor.Tell("get", TestActor);
        gate.Open();

        Assert.Equal("2:1", ExpectMsg<string>());
        Assert.Equal(2, instances.Value);
    }

    [Fact]
    public void Stop_directive_stops_the_child()
    {
        var child = SuperviseCounter(new OneForOneStrategy(_ => Directive.Stop));
        Watch(child);
        ExpectErrors<BoomException>(1, () => child.Tell(new Fail(new BoomException()), TestActor));
        ExpectTerminated(child);
    }

    [Fact]
    public void Escalate_reaches_the_grandparent_with_the_original_exception()
    {
        var decided = CreateTestProbe();
        var grandStrategy = new OneForOneStrategy(e =>
        {
            decided.Ref.Tell(e, ActorRefs.NoSender);
            return Directive.Stop;
        });
        var middleProps = Props.Create(() => new Parent(("child", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Escalate));
        var grand = Sys.ActorOf(Props.Create(() => new Parent(("middle", middleProps))).WithSupervisorStrategy(grandStrategy), "grand");
        var middle = ChildOf(grand, "middle");
        var child = ChildOf(middle, "child");
        Watch(middle);
        var boom = new BoomException("from the grandchild");
        child.Tell(new Fail(boom), TestActor);

        Assert.Same(boom, decided.ExpectMsg<BoomException>());
        ExpectTerminated(middle);
    }

    [Fact]
    public void Escalated_failure_resumed_by_the_grandparent_resumes_the_failing_child()
    {
        var middleProps = Props.Create(() => new Parent(("child", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Escalate));
        var grand = Sys.ActorOf(Props.Create(() => new Parent(("middle", middleProps)))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume)), "grand");
        var middle = ChildOf(grand, "middle");
        var child = ChildOf(middle, "child");
        child.Tell("inc", TestActor);
        child.Tell(new Fail(new BoomException()), TestActor);
        child.Tell("inc", TestActor);

        // The whole subtree resumed: the child keeps its state and goes on with its mailbox.
        Assert.Equal(2, CountOf(child));
        Assert.Same(child, ChildOf(middle, "child"));
    }

    [Fact]
    public void Escalated_failure_restarted_by_the_grandparent_restarts_the_middle_and_stops_its_children()
    {
        var probe = CreateTestProbe();
        var instances = new StrongBox<int>();
        var childInstances = new StrongBox<int>();
        var childProps = Props.Create(() => new LifecycleRecorder(probe.Ref, "child", childInstances));
        var middleProps = Props.Create(() => new LifecycleRecorder(probe.Ref, "middle", instances, ("child", childProps)))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Escalate));
        var grand = Sys.ActorOf(Props.Create(() => new Parent(("middle", middleProps))), "grand");
        var middle = ChildOf(grand, "middle");
        var child = ChildOf(middle, "child");
        probe.ReceiveN(4); // ctor and PreStart of both.
        Watch(child);

        child.Tell(new Fail(new BoomException("deep")), TestActor);
        ExpectTerminated(child);
        var events = probe.ReceiveN(7).Cast<string>().ToList();
        int At(string e) => events.IndexOf(e) is >= 0 and var i ? i : throw new InvalidOperationException($"{e} missing from {string.Join(", ", events)}");
        Assert.Equal(0, At("middle#1:PreRestart deep "));
        Assert.True(At("child#1:PostStop") < At("middle#2:ctor"), "the restart waits for the old children to stop");
        Assert.True(At("middle#1:PostStop") < At("middle#2:ctor"));
        Assert.True(At("middle#2:ctor") < At("middle#2:PostRestart deep"));
        Assert.True(At("middle#2:ctor") < At("child#2:ctor"), "the new instance starts a new child");
        Assert.True(At("child#2:ctor") < At("child#2:PreStart"));
    }

    [Fact]
    public void Restart_limit_stops_the_child_after_maxNrOfRetries()
    {
        var child = SuperviseCounter(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        Watch(child);
        ExpectErrors<BoomException>(2, () =>
        {
            child.Tell(new Fail(new BoomException()), TestActor);
            child.Tell(new Fail(new BoomException()), TestActor);
        });
        Assert.Equal("pong", Ping(child));
        child.Tell(new Fail(new BoomException()), TestActor);
        ExpectTerminated(child);
    }

    private string Ping(IActorRef actor)
    {
        actor.Tell("ping", TestActor);
        return ExpectMsg<string>();
    }

    [Fact]
    public void All_for_one_restarts_every_sibling()
    {
        var strategy = new AllForOneStrategy(_ => Directive.Restart);
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("a", Props.Create(() => new Counter())), ("b", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(strategy), "parent");
        var a = ChildOf(parent, "a");
        var b = ChildOf(parent, "b");
        b.Tell("inc", TestActor);
        b.Tell("inc", TestActor);
        Assert.Equal(2, CountOf(b));
        ExpectErrors<BoomException>(1, () => a.Tell(new Fail(new BoomException()), TestActor));
        AwaitAssert(() => Assert.Equal(0, CountOf(b)));
    }

    [Fact]
    public void One_for_one_restarts_only_the_failing_child()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("a", Props.Create(() => new Counter())), ("b", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)), "parent");
        var a = ChildOf(parent, "a");
        var b = ChildOf(parent, "b");
        a.Tell("inc", TestActor);
        b.Tell("inc", TestActor);
        ExpectErrors<BoomException>(1, () => a.Tell(new Fail(new BoomException()), TestActor));
        Assert.Equal(0, CountOf(a));
        Assert.Equal(1, CountOf(b));
    }

    [Fact]
    public void All_for_one_stop_stops_every_sibling()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("a", Props.Create(() => new Counter())), ("b", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Stop)), "parent");
        var a = ChildOf(parent, "a");
        var b = ChildOf(parent, "b");
        var watcher = CreateTestProbe();
        watcher.Watch(a);
        watcher.Watch(b);
        Assert.Equal(0, CountOf(b)); // both are alive and watched before the failure
        a.Tell(new Fail(new BoomException()), TestActor);
        var stopped = new[] { watcher.ExpectMsg<Terminated>().ActorRef, watcher.ExpectMsg<Terminated>().ActorRef };
        Assert.Contains(a, stopped);
        Assert.Contains(b, stopped);
    }

    [Fact]
    public void All_for_one_restart_limit_stops_every_sibling()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("a", Props.Create(() => new Counter())), ("b", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(1, Timeout.InfiniteTimeSpan, _ => Directive.Restart)), "parent");
        var a = ChildOf(parent, "a");
        var b = ChildOf(parent, "b");
        Watch(b);
        ExpectErrors<BoomException>(1, () => a.Tell(new Fail(new BoomException()), TestActor));
        Assert.Equal("pong", Ping(a));
        a.Tell(new Fail(new BoomException()), TestActor);
        ExpectTerminated(b);
    }

    [Fact]
    public void Lifecycle_hooks_run_in_order_across_a_restart_and_a_stop()
    {
        var instances = new StrongBox<int>();
        var actor = Sys.ActorOf(Props.Create(() => new LifecycleRecorder(TestActor, "a", instances)), "recorder");
        ExpectMsg("a#1:ctor");
        ExpectMsg("a#1:PreStart");
        actor.Tell(new Fail(new BoomException("bad")), TestActor);
        ExpectMsg("a#1:PreRestart bad Fail");
        ExpectMsg("a#1:PostStop"); // the default PreRestart calls PostStop
        ExpectMsg("a#2:ctor");
        ExpectMsg("a#2:PostRestart bad"); // overridden, so PreStart is not called again
        actor.Tell("hello", TestActor);
        ExpectMsg("a#2:got hello");
        Sys.Stop(actor);
        ExpectMsg("a#2:PostStop");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(typeof(ActorInitializationException), Directive.Stop)]
    [InlineData(typeof(ActorKilledException), Directive.Stop)]
    [InlineData(typeof(DeathPactException), Directive.Stop)]
    [InlineData(typeof(InvalidOperationException), Directive.Restart)]
    [InlineData(typeof(BoomException), Directive.Restart)]
    public void Default_decider_stops_on_lifecycle_failures_and_restarts_on_the_rest(Type exceptionType, Directive expected)
    {
        var cause = (Exception)Activator.CreateInstance(exceptionType)!;
        Assert.Equal(expected, SupervisorStrategy.DefaultDecider(cause));
        Assert.Equal(expected, SupervisorStrategy.Default.Decide(cause));
    }

    [Fact]
    public void Default_strategy_restarts_an_actor_that_threw()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        actor.Tell("inc", TestActor);
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        Assert.Equal(0, CountOf(actor));
    }

    [Fact]
    public void Kill_stops_the_actor_under_the_default_strategy()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        Watch(actor);
        ExpectErrors<ActorKilledException>(1, () => actor.Tell(Kill.Instance, TestActor));
        ExpectTerminated(actor);
    }

    [Fact]
    public void Kill_is_a_failure_the_supervisor_decides_on()
    {
        var child = SuperviseCounter(new OneForOneStrategy(e => e is ActorKilledException ? Directive.Restart : Directive.Stop));
        child.Tell("inc", TestActor);
        ExpectErrors<ActorKilledException>(1, () => child.Tell(Kill.Instance, TestActor));
        Assert.Equal(0, CountOf(child));
    }

    [Fact]
    public void Failure_in_the_constructor_stops_the_actor_under_the_default_strategy()
    {
        var attempts = new StrongBox<int>();
        IActorRef? actor = null;
        ExpectErrors<ActorInitializationException>(1, () =>
        {
            actor = Sys.ActorOf(Props.Create(() => new ThrowsInConstructor(attempts, failures: 100)), "fragile");
            Watch(actor);
        });
        ExpectTerminated(actor!);
        Assert.Equal(1, attempts.Value);
        var error = Assert.Single(Logs.Errors<ActorInitializationException>());
        Assert.IsType<BoomException>(error.Exception!.InnerException);
        Assert.Contains("fragile", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failure_in_the_constructor_can_be_restarted_by_the_supervisor()
    {
        var attempts = new StrongBox<int>();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("c", Props.Create(() => new ThrowsInConstructor(attempts, failures: 2)))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)), "parent");
        var child = ChildOf(parent, "c");
        child.Tell("ping", TestActor);
        ExpectMsg("pong");
        Assert.Equal(3, attempts.Value);
    }

    [Fact]
    public void Failure_in_PreStart_is_an_initialization_failure()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ThrowsInPreStart()), "prestart");
        Watch(actor);
        ExpectTerminated(actor);
        Assert.Single(Logs.Errors<ActorInitializationException>());
    }

    [Fact]
    public void A_throwing_supervisor_strategy_escalates()
    {
        var decided = CreateTestProbe();
        var middleProps = Props.Create(() => new Parent(("child", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => throw new InvalidOperationException("decider bug")));
        var grand = Sys.ActorOf(Props.Create(() => new Parent(("middle", middleProps))).WithSupervisorStrategy(new OneForOneStrategy(e =>
        {
            decided.Ref.Tell(e, ActorRefs.NoSender);
            return Directive.Stop;
        })), "grand");
        var child = ChildOf(ChildOf(grand, "middle"), "child");
        child.Tell(new Fail(new BoomException()), TestActor);
        decided.ExpectMsg<BoomException>();
    }

    private sealed class GatedCounter : ReceiveActor
    {
        private int _count;

        public GatedCounter(Gate gate, StrongBox<int> instances)
        {
            var instance = Interlocked.Increment(ref instances.Value);
            Receive<string>(_ => gate.Pass(), s => s == "block");
            Receive<string>(_ => _count++, s => s == "inc");
            Receive<string>(_ => Sender.Tell($"{instance}:{_count}"), s => s == "get");
            Receive<Fail>(f => throw f.Cause);
        }
    }

    private sealed class ThrowsInConstructor : ReceiveActor
    {
        public ThrowsInConstructor(StrongBox<int> attempts, int failures)
        {
            if (Interlocked.Increment(ref attempts.Value) <= failures)
            {
                throw new BoomException("constructor");
            }

            Receive<string>(_ => Sender.Tell("pong"));
        }
    }

    private sealed class ThrowsInPreStart : ReceiveActor
    {
        protected override void PreStart() => throw new BoomException("prestart");
    }
}

public sealed class RestartWindowTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    private IActorRef Supervised(int maxNrOfRetries, TimeSpan window)
    {
        var strategy = new OneForOneStrategy(maxNrOfRetries, window, _ => Directive.Restart);
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("child", Props.Create(() => new Counter())))).WithSupervisorStrategy(strategy), "parent");
        parent.Tell(new GetChild("child"), TestActor);
        return ExpectMsg<IActorRef>();
    }

    private void FailAndRecover(IActorRef child)
    {
        ExpectErrors<BoomException>(1, () => child.Tell(new Fail(new BoomException()), TestActor));
        child.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    [Fact]
    public void Failures_beyond_the_limit_within_the_window_stop_the_child()
    {
        var child = Supervised(2, TimeSpan.FromSeconds(10));
        Watch(child);
        FailAndRecover(child);
        Time!.Advance(TimeSpan.FromSeconds(5));
        FailAndRecover(child);
        Time.Advance(TimeSpan.FromSeconds(4));
        child.Tell(new Fail(new BoomException()), TestActor);
        ExpectTerminated(child);
    }

    [Fact]
    public void Restart_count_resets_once_the_window_has_passed()
    {
        var child = Supervised(2, TimeSpan.FromSeconds(10));
        Watch(child);
        FailAndRecover(child);
        FailAndRecover(child);
        Time!.Advance(TimeSpan.FromSeconds(11));
        FailAndRecover(child);
        FailAndRecover(child);
        child.Tell(new Fail(new BoomException()), TestActor);
        ExpectTerminated(child);
    }
}
