using System.Runtime.CompilerServices;
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
