using CrossMargin.Actors.Supervision;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class InvalidInputTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Duplicate_top_level_name_is_refused()
    {
        Sys.ActorOf(Props.Create(() => new Counter()), "unique");
        var e = Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new Counter()), "unique"));
        Assert.Contains("[unique]", e.Message, StringComparison.Ordinal);
        Assert.Contains("not unique", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_child_name_is_refused_inside_an_actor()
    {
        var actor = Sys.ActorOf(Props.Create(() => new SpawnsTwice()), "parent");
        actor.Tell("go", TestActor);
        Assert.Contains("not unique under cm://test/user/parent", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("$reserved")]
    [InlineData("a/b")]
    [InlineData("has space")]
    [InlineData("caf\u00e9")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    public void Bad_actor_names_are_refused(string name)
    {
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new Counter()), name));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with-dash_and.dot")]
    [InlineData("a$b")]
    [InlineData("x:y@z")]
    public void Valid_actor_names_are_accepted(string name)
    {
        Assert.Equal(name, Sys.ActorOf(Props.Create(() => new Counter()), name).Name);
    }

    [Fact]
    public void Generated_names_start_with_a_dollar_and_are_unique()
    {
        var names = Enumerable.Range(0, 100).Select(_ => Sys.ActorOf(Props.Create(() => new Counter())).Name).ToList();
        Assert.All(names, n => Assert.StartsWith("$", n, StringComparison.Ordinal));
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Invalid_options_are_refused_listing_every_problem()
    {
        var options = new ActorSystemOptions
        {
            Throughput = 0,
            AskTimeout = TimeSpan.Zero,
            DeadLetterLogLimit = -1,
            DeadLetterLogWindow = TimeSpan.FromSeconds(-1),
            ShutdownPhaseTimeout = TimeSpan.Zero,
        };
        var e = Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad", options));
        foreach (var setting in new[] { "Throughput", "AskTimeout", "DeadLetterLogLimit", "DeadLetterLogWindow", "shutdown timeouts" })
        {
            Assert.Contains(setting, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(5, options.Validate().Count);
        Assert.False(new ActorSystemOptionsValidator().Validate(null, options).Succeeded);
        Assert.Empty(new ActorSystemOptions().Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-leading")]
    [InlineData("has space")]
    [InlineData("a.b")]
    public void Bad_system_names_are_refused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => ActorSystem.Create(name));
    }

    [Fact]
    public void Null_messages_are_refused()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        Assert.Throws<ArgumentNullException>(() => actor.Tell(null!, TestActor));
        Assert.Throws<ArgumentNullException>(() => actor.Tell(null!));
        Assert.Throws<ArgumentNullException>(() => Sys.DeadLetters.Tell(null!, TestActor));
        Assert.Throws<ArgumentNullException>(() => Sys.ActorOf(null!));
        Assert.Throws<ArgumentNullException>(() => Props.Create<Counter>(null!));
        Assert.Equal(0, Sys.DeadLetterCount);
    }

    [Fact]
    public void Invalid_props_and_strategies_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Props.Create(() => new Counter()).WithThroughput(0));
        Assert.Throws<ArgumentNullException>(() => Props.Create(() => new Counter()).WithSupervisorStrategy(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OneForOneStrategy(-2, TimeSpan.Zero, _ => Directive.Stop));
        Assert.Throws<ArgumentNullException>(() => new AllForOneStrategy(null!));
    }

    [Fact]
    public void Creating_an_actor_with_new_is_refused()
    {
        var e = Assert.Throws<ActorInitializationException>(() => new Counter());
        Assert.Contains("ActorOf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Props_factory_that_returns_the_same_instance_fails_the_restart()
    {
        Counter? cached = null;
        var actor = Sys.ActorOf(Props.Create(() => cached ??= new Counter()), "cached");
        Watch(actor);
        ExpectErrors<ActorInitializationException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        ExpectTerminated(actor);
        Assert.Contains("must create a new one", Logs.Errors<ActorInitializationException>()[0].Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_context_refuses_use_outside_the_actor_turn()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LeaksContext()), "leaky");
        actor.Tell("give", TestActor);
        var context = ExpectMsg<IActorContext>();
        var e = Assert.Throws<InvalidOperationException>(() => context.ActorOf(Props.Create(() => new Counter())));
        Assert.Contains("outside its turn", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => context.Watch(TestActor));
        Assert.Throws<InvalidOperationException>(() => context.SetReceiveTimeout(null));
    }

    [Fact]
    public void Forward_outside_an_actor_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => TestActor.Forward("x"));
    }

    [Fact]
    public void Watching_something_that_is_not_an_actor_fails_the_watcher()
    {
        var actor = Sys.ActorOf(Props.Create(() => new WatchesAnything()), "watcher");
        actor.Tell(new NotAnActor(), TestActor);
        Assert.Contains("cannot be watched", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    private sealed class SpawnsTwice : ReceiveActor
    {
        public SpawnsTwice() => Receive<string>(_ =>
        {
            Context.ActorOf(Props.Create(() => new Counter()), "twin");
            try
            {
                Context.ActorOf(Props.Create(() => new Counter()), "twin");
                Sender.Tell("created twice");
            }
            catch (InvalidActorNameException e)
            {
                Sender.Tell(e.Message);
            }
        });
    }

    private sealed class LeaksContext : ReceiveActor
    {
        public LeaksContext() => Receive<string>(_ => Sender.Tell(Context));
    }

    private sealed class NotAnActor : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root("elsewhere").Child("thing");

        public string Name => "thing";

        public void Tell(object message, IActorRef? sender)
        {
        }
    }

    private sealed class WatchesAnything : ReceiveActor
    {
        public WatchesAnything() => Receive<NotAnActor>(target =>
        {
            try
            {
                Context.Watch(target);
                Sender.Tell("watching");
            }
            catch (NotSupportedException e)
            {
                Sender.Tell(e.Message);
            }
        });
    }
}
