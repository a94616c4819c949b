using CrossMargin.Actors.Events;
using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class DeadLetterTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings
{
    ManualTime = true,
    Options = new ActorSystemOptions { DeadLetterLogLimit = 3, DeadLetterLogWindow = TimeSpan.FromSeconds(10) },
})
{
    private const string Category = "CrossMargin.Actors.DeadLetters";

    private List<string> DeadLetterLogs() => [.. Logs.Entries.Where(e => e.Category == Category).Select(e => e.Message)];

    [Fact]
    public void Messages_to_DeadLetters_are_counted_and_published()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var before = Sys.DeadLetterCount;
        Sys.DeadLetters.Tell("lost", TestActor);
        Assert.Equal(before + 1, Sys.DeadLetterCount);
        var letter = deadLetters.ExpectMsg<DeadLetter>();
        Assert.Equal("lost", letter.Message);
        Assert.Same(TestActor, letter.Sender);
        Assert.Same(Sys.DeadLetters, letter.Recipient);
    }

    [Fact]
    public void Replies_to_no_sender_become_dead_letters()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var counter = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        counter.Tell("ping", ActorRefs.NoSender);
        var letter = deadLetters.ExpectMsg<DeadLetter>();
        Assert.Equal("pong", letter.Message);
        Assert.Same(counter, letter.Sender);
    }

    [Fact]
    public void Nobody_drops_messages_without_counting_them()
    {
        var before = Sys.DeadLetterCount;
        ActorRefs.Nobody.Tell("void", TestActor);
        Assert.Equal(before, Sys.DeadLetterCount);
    }

    [Fact]
    public void Dead_letters_are_logged_at_a_bounded_rate_with_a_suppressed_summary()
    {
        for (var i = 0; i < 8; i++)
        {
            Sys.DeadLetters.Tell("m" + i, TestActor);
        }

        Assert.Equal(8, Sys.DeadLetterCount);
        var first = DeadLetterLogs();
        Assert.Equal(3, first.Count);
        Assert.All(first, m => Assert.Contains("String", m, StringComparison.Ordinal));
        Assert.Contains("3 dead letters so far", first[^1], StringComparison.Ordinal);

        // Still within the window: suppressed.
        Time!.Advance(TimeSpan.FromSeconds(9));
        Sys.DeadLetters.Tell("m8", TestActor);
        Assert.Equal(3, DeadLetterLogs().Count);

        Time.Advance(TimeSpan.FromSeconds(2));
        Sys.DeadLetters.Tell("m9", TestActor);
        var all = DeadLetterLogs();
        Assert.Equal(5, all.Count);
        Assert.Contains("6 further dead letters were not logged", all[3], StringComparison.Ordinal);
        Assert.Contains("10 dead letters so far", all[4], StringComparison.Ordinal);
        Assert.Equal(10, Sys.DeadLetterCount);
    }

    [Fact]
    public void Every_dead_letter_is_published_even_when_its_log_is_suppressed()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        for (var i = 0; i < 20; i++)
        {
            Sys.DeadLetters.Tell(i, TestActor);
        }

        Assert.Equal(Enumerable.Range(0, 20).Cast<object>(), deadLetters.ReceiveN(20).Cast<DeadLetter>().Select(d => d.Message));
        Assert.Equal(3, DeadLetterLogs().Count);
    }
}

public sealed class DeadLetterLoggingOffTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings
{
    Options = new ActorSystemOptions { DeadLetterLogLimit = 0 },
})
{
    [Fact]
    public void Limit_zero_turns_the_log_off_but_still_counts()
    {
        for (var i = 0; i < 5; i++)
        {
            Sys.DeadLetters.Tell("m" + i, TestActor);
        }

        Assert.Equal(5, Sys.DeadLetterCount);
        Assert.DoesNotContain(Logs.Entries, e => e.Category == "CrossMargin.Actors.DeadLetters");
    }
}
