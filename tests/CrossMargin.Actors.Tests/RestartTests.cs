using System.Runtime.CompilerServices;
using CrossMargin.Actors.Supervision;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>What a restart leaves behind for the new instance, and a stop that interrupts a restart.</summary>
public sealed class RestartTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void A_parent_watching_its_children_is_not_told_of_the_ones_the_default_restart_stopped()
    {
        var parent = Sys.ActorOf(Props.Create(() => new WatchingParent(TestActor)), "parent");
        ExpectMsg("watching worker");
        ExpectErrors<BoomException>(1, () => parent.Tell(new Fail(new BoomException()), TestActor));
        ExpectMsg("watching worker");

        // The new instance never watched the old worker: its Terminated would be a stranger's (and, unhandled, a DeathPactException).
        parent.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    [Fact]
    public void A_stop_while_a_restart_waits_for_its_children_stops_the_actor_without_making_a_new_instance()
    {
        using var gate = new Gate();
        var instances = new StrongBox<int>();
        var childProps = Props.Create(() => new GatedChild(gate));
        var parent = Sys.ActorOf(Props.Create(() => new LifecycleRecorder(TestActor, "p", instances, ("c", childProps))), "parent");
        ExpectMsg("p#1:ctor");
        ExpectMsg("p#1:PreStart");
        parent.Tell(new GetChild("c"), TestActor);
        var child = ExpectMsg<IActorRef>();

        // The child is busy, so the restart's stop of it (the default PreRestart) waits, and so does the restart.
        child.Tell("block", TestActor);
        gate.WaitEntered();
        parent.Tell(new Fail(new BoomException("bad")), TestActor);
        ExpectMsg("p#1:PreRestart bad Fail");
        ExpectMsg("p#1:PostStop");

        // The stop reaches the parent before the child can end (it is still held), so it interrupts the waiting restart.
        Watch(parent);
        Sys.Stop(parent);
        gate.Open();
        ExpectTerminated(parent);
        Assert.Equal(1, instances.Value);
    }

    [Fact]
    public void A_restart_while_the_mailbox_is_held_waits_for_the_rest_of_the_old_instance()
    {
        var reports = CreateTestProbe();
        var resume = new StrongBox<Action<Exception?>?>();
        var instances = new StrongBox<int>();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
                ("holder", Props.Create(() => new Holder(reports.Ref, resume, instances))),
                ("sibling", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Restart)), "parent");
        reports.ExpectMsg("holder #1 started");
        var holder = ChildOf(parent, "holder");
        var sibling = ChildOf(parent, "sibling");
        holder.Tell("hold", TestActor);
        reports.ExpectMsg("holder #1 holding");

        // The sibling's failure restarts both; once the parent answers again, it has told the holder to restart.
        ExpectErrors<BoomException>(1, () => sibling.Tell(new Fail(new BoomException()), TestActor));
        ChildOf(parent, "sibling");

        // The outcome the old instance waited for (a journal write) is handled by it, before the new one starts.
        resume.Value!(null);
        reports.ExpectMsg("holder #1 rest");
        reports.ExpectMsg("holder #2 started");
        holder.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    [Fact]
    public void A_stop_while_a_restart_waits_for_a_held_mailbox_ends_the_old_instance_after_its_rest_without_a_new_one()
    {
        var reports = CreateTestProbe();
        var resume = new StrongBox<Action<Exception?>?>();
        var instances = new StrongBox<int>();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
                ("holder", Props.Create(() => new StoppingHolder(reports.Ref, resume, instances))),
                ("sibling", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new AllForOneStrategy(_ => Directive.Restart)), "parent");
        reports.ExpectMsg("holder #1 started");
        var holder = ChildOf(parent, "holder");
        var sibling = ChildOf(parent, "sibling");
        holder.Tell("hold", TestActor);
        reports.ExpectMsg("holder #1 holding");
        ExpectErrors<BoomException>(1, () => sibling.Tell(new Fail(new BoomException()), TestActor));
        ChildOf(parent, "sibling");

        // Both a restart (the sibling's, all-for-one) and a stop wait for the hold; the stop wins, and the instance that
        // held gets its rest and then its PostStop, with no new instance made only to be stopped.
        Watch(holder);
        Sys.Stop(holder);
        resume.Value!(null);
        reports.ExpectMsg("holder #1 rest");
        reports.ExpectMsg("holder #1 PostStop");
        ExpectTerminated(holder);
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, instances.Value);
    }

    private IActorRef ChildOf(IActorRef parent, string name)
    {
        parent.Tell(new GetChild(name), TestActor);
        return ExpectMsg<IActorRef>(c => !ReferenceEquals(c, ActorRefs.Nobody));
    }

    /// <summary>Holds its mailbox on "hold", handing the resume callback to the test; reports its lifecycle.</summary>
    private sealed class Holder : ReceiveActor
    {
        public Holder(IActorRef reports, StrongBox<Action<Exception?>?> resume, StrongBox<int> instances)
        {
            var instance = Interlocked.Increment(ref instances.Value);
            reports.Tell($"holder #{instance} started", ActorRefs.NoSender);
            Receive<string>(_ =>
            {
                resume.Value = HoldMailbox<int>((n, _) => reports.Tell($"holder #{n} rest", ActorRefs.NoSender), instance);
                reports.Tell($"holder #{instance} holding", ActorRefs.NoSender);
            }, s => s == "hold");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        }
    }

    /// <summary>A <see cref="Holder"/> that also reports its PostStop.</summary>
    private sealed class StoppingHolder : ReceiveActor
    {
        private readonly IActorRef _reports;
        private readonly int _instance;

        public StoppingHolder(IActorRef reports, StrongBox<Action<Exception?>?> resume, StrongBox<int> instances)
        {
            _reports = reports;
            _instance = Interlocked.Increment(ref instances.Value);
            reports.Tell($"holder #{_instance} started", ActorRefs.NoSender);
            Receive<string>(_ =>
            {
                resume.Value = HoldMailbox<int>((n, _) => reports.Tell($"holder #{n} rest", ActorRefs.NoSender), _instance);
                reports.Tell($"holder #{_instance} holding", ActorRefs.NoSender);
            }, s => s == "hold");
        }

        protected override void PostStop() => _reports.Tell($"holder #{_instance} PostStop", ActorRefs.NoSender);
    }

    /// <summary>Starts a worker child and watches it; reports Terminated of anyone to the probe.</summary>
    private sealed class WatchingParent : ReceiveActor
    {
        public WatchingParent(IActorRef probe)
        {
            var worker = Context.ActorOf(Props.Create(() => new Counter()), "worker");
            Context.Watch(worker);
            probe.Tell("watching " + worker.Name, ActorRefs.NoSender);
            Receive<Terminated>(t => probe.Tell("Terminated " + t.ActorRef.Path, ActorRefs.NoSender));
            Receive<Fail>(f => throw f.Cause);
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        }
    }

    /// <summary>Holds its turn at the gate on "block".</summary>
    private sealed class GatedChild : ReceiveActor
    {
        public GatedChild(Gate gate) => Receive<string>(_ => gate.Pass(), s => s == "block");
    }
}
