using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class BecomeTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private string Say(IActorRef actor, string message)
    {
        actor.Tell(message, TestActor);
        return ExpectMsg<string>();
    }

    [Fact]
    public void ReceiveActor_Become_replaces_the_handlers()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Moody()), "moody");
        Assert.Equal("calm:x", Say(actor, "x"));
        Assert.Equal("calm:angry", Say(actor, "angry"));
        Assert.Equal("angry:x", Say(actor, "x"));
        Assert.Equal("angry:calm", Say(actor, "calm"));
        Assert.Equal("calm:x", Say(actor, "x"));
    }

    [Fact]
    public void ReceiveActor_BecomeStacked_and_UnbecomeStacked_push_and_pop()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Moody()), "moody");
        Assert.Equal("calm:push", Say(actor, "push"));
        Assert.Equal("pushed1:push", Say(actor, "push"));
        Assert.Equal("pushed2:x", Say(actor, "x"));
        Assert.Equal("pushed2:pop", Say(actor, "pop"));
        Assert.Equal("pushed1:pop", Say(actor, "pop"));
        Assert.Equal("calm:x", Say(actor, "x"));

        // Popping with nothing stacked keeps the constructor's handlers.
        Assert.Equal("calm:pop", Say(actor, "pop"));
        Assert.Equal("calm:x", Say(actor, "x"));
    }

    [Fact]
    public void Become_discards_stacked_behaviours()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Moody()), "moody");
        Say(actor, "push");
        Say(actor, "push");
        Assert.Equal("pushed2:angry", Say(actor, "angry"));
        Assert.Equal("angry:pop", Say(actor, "pop"));
        Assert.Equal("calm:x", Say(actor, "x"));
    }

    [Fact]
    public void Restart_returns_to_the_initial_behaviour()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Moody()), "moody");
        Say(actor, "angry");
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        Assert.Equal("calm:x", Say(actor, "x"));
    }

    [Fact]
    public void Message_not_handled_by_the_current_behaviour_is_published_as_unhandled()
    {
        var unhandled = CreateTestProbe();
        Sys.EventStream.Subscribe(unhandled.Ref, typeof(Events.UnhandledMessage));
        var actor = Sys.ActorOf(Props.Create(() => new Moody()), "moody");
        Say(actor, "angry");
        actor.Tell(42, TestActor);
        var message = unhandled.ExpectMsg<Events.UnhandledMessage>();
        Assert.Equal(42, message.Message);
        Assert.Same(actor, message.Recipient);
        Assert.Same(TestActor, message.Sender);
    }

    [Fact]
    public void UntypedActor_Context_Become_BecomeStacked_and_UnbecomeStacked()
    {
        var actor = Sys.ActorOf(Props.Create(() => new UntypedMoody()), "untyped");
        Assert.Equal("base:x", Say(actor, "x"));
        Assert.Equal("base:become", Say(actor, "become"));
        Assert.Equal("became:x", Say(actor, "x"));
        Assert.Equal("became:push", Say(actor, "push"));
        Assert.Equal("stacked:x", Say(actor, "x"));
        Assert.Equal("stacked:pop", Say(actor, "pop"));
        Assert.Equal("became:x", Say(actor, "x"));
        Assert.Equal("became:pop", Say(actor, "pop"));
        Assert.Equal("base:x", Say(actor, "x"));
    }

    [Fact]
    public void Handlers_cannot_be_declared_while_processing_a_message()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LateDeclarer()), "late");
        Assert.Contains("declared in the constructor", Say(actor, "x"), StringComparison.Ordinal);
    }

    private sealed class Moody : ReceiveActor
    {
        private int _depth;

        public Moody()
        {
            Calm();
            Receive<Fail>(f => throw f.Cause);
        }

        private void Calm() => Receive<string>(s =>
        {
            Sender.Tell("calm:" + s);
            React(s);
        });

        private void React(string s)
        {
            switch (s)
            {
                case "angry":
                    _depth = 0;
                    Become(() =>
                    {
                        Receive<Fail>(f => throw f.Cause);
                        Receive<string>(m =>
                        {
                            Sender.Tell("angry:" + m);
                            if (m == "calm")
                            {
                                Become(Calm);
                            }
                            else
                            {
                                React(m);
                            }
                        });
                    });
                    break;
                case "push":
                    var name = "pushed" + ++_depth;
                    BecomeStacked(() => Receive<string>(m =>
                    {
                        Sender.Tell(name + ":" + m);
                        React(m);
                    }));
                    break;
                case "pop":
                    _depth = Math.Max(0, _depth - 1);
                    UnbecomeStacked();
                    break;
            }
        }
    }

    private sealed class UntypedMoody : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            Sender.Tell("base:" + message);
            if (Equals(message, "become"))
            {
                Context.Become(Became);
            }
        }

        private bool Became(object message)
        {
            Sender.Tell("became:" + message);
            switch (message)
            {
                case "push":
                    Context.BecomeStacked(m =>
                    {
                        Sender.Tell("stacked:" + m);
                        if (Equals(m, "pop"))
                        {
                            Context.UnbecomeStacked();
                        }

                        return true;
                    });
                    break;
                case "pop":
                    Context.UnbecomeStacked();
                    break;
            }

            return true;
        }
    }

    private sealed class LateDeclarer : ReceiveActor
    {
        public LateDeclarer() => Receive<string>(_ =>
        {
            try
            {
                Receive<int>(_ => { });
                Sender.Tell("declared");
            }
            catch (InvalidOperationException e)
            {
                Sender.Tell(e.Message);
            }
        });
    }
}
