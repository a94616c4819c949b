using CrossMargin.Actors.Supervision;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>Failures a parent escalates, and what its own supervisor's decision then does to the children that failed.</summary>
public sealed class EscalationTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Two_children_escalating_before_the_grandparent_decides_are_both_resumed_by_its_Resume()
    {
        using var childGate = new Gate();
        using var grandGate = new Gate();
        var decidedByMiddle = CreateTestProbe();
        var decidedByGrand = CreateTestProbe();
        var middleProps = Props.Create(() => new Parent(
                ("first", Props.Create(() => new Counter())),
                ("second", Props.Create(() => new FailsAtGate(childGate)))))
            .WithSupervisorStrategy(new OneForOneStrategy(e =>
            {
                decidedByMiddle.Ref.Tell(e.Message, ActorRefs.NoSender);
                return Directive.Escalate;
            }));
        var grandStrategy = new OneForOneStrategy(e =>
        {
            // Decides on the grandparent's turn: held there until the second child has failed too.
            decidedByGrand.Ref.Tell(e.Message, ActorRefs.NoSender);
            grandGate.Pass();
            return Directive.Resume;
        });
        var grand = Sys.ActorOf(Props.Create(() => new Parent(("middle", middleProps))).WithSupervisorStrategy(grandStrategy), "grand");
        var middle = ChildOf(grand, "middle");
        var first = ChildOf(middle, "first");
        var second = ChildOf(middle, "second");

        // The second child is busy when the first fails, so the middle's suspension reaches it only after it failed too.
        second.Tell("fail-at-gate", TestActor);
        childGate.WaitEntered();
        first.Tell(new Fail(new BoomException("first")), TestActor);
        decidedByMiddle.ExpectMsg("first");
        decidedByGrand.ExpectMsg("first");
        childGate.Open();
        decidedByMiddle.ExpectMsg("second");
        grandGate.Open();

        first.Tell("ping", TestActor);
        ExpectMsg("pong");
        second.Tell("ping", TestActor);
        ExpectMsg("pong");
    }

    private IActorRef ChildOf(IActorRef parent, string name)
    {
        parent.Tell(new GetChild(name), TestActor);
        return ExpectMsg<IActorRef>(c => !ReferenceEquals(c, ActorRefs.Nobody));
    }

    /// <summary>On "fail-at-gate", waits at the gate and then throws; answers "ping".</summary>
    private sealed class FailsAtGate : ReceiveActor
    {
        public FailsAtGate(Gate gate)
        {
            Receive<string>(_ =>
            {
                gate.Pass();
                throw new BoomException("second");
            }, s => s == "fail-at-gate");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        }
    }
}
