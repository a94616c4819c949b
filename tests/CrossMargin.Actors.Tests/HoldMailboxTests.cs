using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class HoldMailboxTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    // The holder hands its resume callback out through this: the test reports the outcome from its own thread.
    // Set before the holder reports "holding", which the test waits for.
    private readonly StrongBox<Action<Exception?>?> _resume = new();

    private IActorRef StartHolder(string name = "holder") => Sys.ActorOf(Props.Create(() => new Holder(TestActor, _resume)), name);

    private void Resume(Exception? error) => _resume.Value!(error);

    [Fact]
    public void Messages_wait_while_the_mailbox_is_held_and_the_rest_runs_on_the_actors_turn_with_the_sender_of_the_hold()
    {
        var holder = StartHolder();
        var client = CreateTestProbe();
        client.Send(holder, "hold");
        ExpectMsg("holding");
        holder.Tell("ping", TestActor);
        ExpectNoMsg(Quiet);

        Resume(null);
        client.ExpectMsg("resumed on cm://test/user/holder: ok");
        Assert.Same(holder, client.LastSender);
        ExpectMsg("pong ping");
    }

    [Fact]
    public void The_reported_error_is_handed_to_the_rest()
    {
        var holder = StartHolder();
        holder.Tell("hold", TestActor);
        ExpectMsg("holding");
        Resume(new BoomException());
        ExpectMsg("resumed on cm://test/user/holder: BoomException");
    }

    [Fact]
    public void A_rest_that_throws_goes_to_supervision()
    {
        var holder = StartHolder();
        holder.Tell("inc", TestActor);
        holder.Tell("hold-then-throw", TestActor);
        ExpectMsg("holding");
        ExpectErrors<BoomException>(1, () => Resume(null));
        holder.Tell("get", TestActor);
        ExpectMsg(0); // restarted: the count was dropped
    }

    [Fact]
    public void Stop_while_held_waits_for_the_resume()
    {
        var holder = StartHolder();
        var watcher = CreateTestProbe();
        watcher.Watch(holder);
        holder.Tell("hold", TestActor);
        ExpectMsg("holding");
        Sys.Stop(holder);
        watcher.ExpectNoMsg(Quiet);
        Resume(null);
        ExpectMsg("resumed on cm://test/user/holder: ok");
        watcher.ExpectTerminated(holder);
    }

    [Fact]
    public void A_hold_that_is_still_in_flight_refuses_a_second_and_a_resume_is_accepted_once()
    {
        var holder = StartHolder();
        holder.Tell("hold-twice", TestActor);
        ExpectMsg("holding");
        ExpectMsg("second hold refused");
        var resume = _resume.Value!;
        resume(null);
        ExpectMsg("resumed on cm://test/user/holder: ok");
        Assert.Throws<InvalidOperationException>(() => resume(null));
    }

    [Fact]
    public void The_rest_may_hold_again_and_messages_keep_waiting_until_the_last_resume()
    {
        var holder = StartHolder();
        holder.Tell("hold-again", TestActor);
        ExpectMsg("holding");
        holder.Tell("ping", TestActor);
        Resume(null);
        var again = ExpectMsg<Holder.Again>();
        ExpectNoMsg(Quiet);
        again.Resume(null);
        ExpectMsg("resumed again");
        ExpectMsg("pong ping");
    }

    private sealed class Holder(IActorRef probe, StrongBox<Action<Exception?>?> resume) : ActorBase
    {
        private readonly IActorRef _probe = probe;
        private readonly StrongBox<Action<Exception?>?> _resume = resume;
        private int _count;

        protected internal override bool Receive(object message)
        {
            switch (message)
            {
                case "inc":
                    _count++;
                    return true;
                case "get":
                    Sender.Tell(_count);
                    return true;
                case "hold":
                    Hold(HoldMailbox(static (Holder h, Exception? error) => h.Rest(error), this));
                    return true;
                case "hold-then-throw":
                    Hold(HoldMailbox(static (Holder _, Exception? _) => throw new BoomException(), this));
                    return true;
                case "hold-twice":
                    Hold(HoldMailbox(static (Holder h, Exception? error) => h.Rest(error), this));
                    try
                    {
                        HoldMailbox(static (Holder _, Exception? _) => { }, this);
                    }
                    catch (InvalidOperationException)
                    {
                        _probe.Tell("second hold refused");
                    }

                    return true;
                case "hold-again":
                    Hold(HoldMailbox(static (Holder h, Exception? _) => h.HoldAgain(), this));
                    return true;
                case string text:
                    Sender.Tell("pong " + text);
                    return true;
                default:
                    return false;
            }
        }

        private void Hold(Action<Exception?> resumeWith)
        {
            _resume.Value = resumeWith;
            _probe.Tell("holding");
        }

        private void Rest(Exception? error) => Sender.Tell($"resumed on {Self.Path}: {error?.GetType().Name ?? "ok"}");

        private void HoldAgain() =>
            _probe.Tell(new Again(HoldMailbox(static (Holder h, Exception? _) => h._probe.Tell("resumed again"), this)));

        internal sealed record Again(Action<Exception?> Resume);
    }
}
