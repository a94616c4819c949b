using CrossMargin.Actors.Supervision;
using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class TestKitTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void ExpectMsg_predicate_failure_names_the_message()
    {
        TestActor.Tell(41, ActorRefs.NoSender);
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>(i => i == 42));
        Assert.Contains("Int32 41", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not satisfy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectMsg_reports_the_wrong_type_and_wrong_value()
    {
        TestActor.Tell("text", ActorRefs.NoSender);
        Assert.Contains("Expected a Int32 but got String text", Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>()).Message, StringComparison.Ordinal);
        TestActor.Tell("other", ActorRefs.NoSender);
        Assert.Contains("Expected String expected but got String other",
            Assert.Throws<TestKitAssertionException>(() => ExpectMsg("expected")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectMsg_times_out_naming_the_expectation()
    {
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>(timeout: Short));
        Assert.Contains("Timed out after 100 ms waiting for a Int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectNoMsg_passes_when_quiet_and_fails_when_something_arrives()
    {
        ExpectNoMsg(Short);
        TestActor.Tell("surprise", ActorRefs.NoSender);
        AwaitCondition(() => Probe.QueuedCount == 1);
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectNoMsg(Short));
        Assert.Contains("surprise", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FishForMessage_skips_until_the_one_and_reports_skips_on_failure()
    {
        foreach (var m in new object[] { 1, "two", 3, "four" })
        {
            TestActor.Tell(m, ActorRefs.NoSender);
        }

        Assert.Equal(3, FishForMessage<int>(i => i > 1));
        ExpectMsg("four");
        TestActor.Tell("a", ActorRefs.NoSender);
        TestActor.Tell("b", ActorRefs.NoSender);
        var e = Assert.Throws<TestKitAssertionException>(() => FishForMessage<int>(_ => true, Short));
        Assert.Contains("2 other messages skipped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReceiveN_returns_messages_in_order_and_reports_a_shortfall()
    {
        for (var i = 0; i < 5; i++)
        {
            TestActor.Tell(i, ActorRefs.NoSender);
        }

        Assert.Equal([0, 1, 2], ReceiveN(3));
        var e = Assert.Throws<TestKitAssertionException>(() => ReceiveN(3, Short));
        Assert.Contains("Received 2 of 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwaitAssert_retries_until_the_assertion_holds()
    {
        var attempts = 0;
        AwaitAssert(() => Assert.True(++attempts >= 3));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void AwaitAssert_rethrows_the_last_failure_after_the_timeout()
    {
        var attempts = 0;
        var e = Assert.Throws<InvalidOperationException>(() => AwaitAssert(() => throw new InvalidOperationException("attempt " + ++attempts), Short));
        Assert.Equal("attempt " + attempts, e.Message);
        Assert.True(attempts > 1);
    }

    [Fact]
    public void AwaitCondition_waits_for_the_condition_or_fails_with_the_message()
    {
        var flips = 0;
        AwaitCondition(() => ++flips > 2);
        var e = Assert.Throws<TestKitAssertionException>(() => AwaitCondition(() => false, Short, "never true"));
        Assert.Contains("never true", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestActorRef_processes_synchronously_and_exposes_its_instance()
    {
        var actor = ActorOfAsTestActorRef(() => new Tally(), "tally");
        Assert.NotNull(actor.UnderlyingActor);
        actor.Tell(5, TestActor);
        actor.Tell(7, TestActor);
        Assert.Equal(12, actor.UnderlyingActor!.Total); // no waiting: processed on this thread
        Assert.Equal("cm://test/user/tally", actor.Path.ToString());
        Assert.Equal("tally", actor.Name);
    }

    [Fact]
    public void TestActorRef_exposes_the_new_instance_after_a_restart_and_null_after_a_stop()
    {
        var actor = ActorOfAsTestActorRef(() => new Tally(), "tally");
        actor.Tell(5, TestActor);
        var first = actor.UnderlyingActor;
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        AwaitCondition(() => actor.UnderlyingActor is not null && !ReferenceEquals(actor.UnderlyingActor, first));
        Assert.Equal(0, actor.UnderlyingActor!.Total);

        Watch(actor.Ref);
        Sys.Stop(actor.Ref);
        ExpectTerminated(actor.Ref);
        Assert.Null(actor.UnderlyingActor);
    }

    [Fact]
    public void ExpectErrors_passes_for_exactly_the_expected_count()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(("c", Props.Create(() => new Counter()))))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)), "parent");
        parent.Tell(new GetChild("c"), TestActor);
        var child = ExpectMsg<IActorRef>();
        ExpectErrors<BoomException>(2, () =>
        {
            child.Tell(new Fail(new BoomException()), TestActor);
            child.Tell(new Fail(new BoomException()), TestActor);
        });
    }

    [Fact]
    public void ExpectErrors_fails_when_there_are_more_or_fewer()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        var more = Assert.Throws<TestKitAssertionException>(() => ExpectErrors<BoomException>(1, () =>
        {
            actor.Tell(new Fail(new BoomException()), TestActor);
            actor.Tell(new Fail(new BoomException()), TestActor);
            actor.Tell("ping", TestActor);
            ExpectMsg("pong"); // both failures are logged by now
        }));
        Assert.Contains("exactly 1", more.Message, StringComparison.Ordinal);

        var fewer = Assert.Throws<TestKitAssertionException>(() => ExpectErrors<BoomException>(1, () => { }, Short));
        Assert.Contains("expected 1 logged BoomException", fewer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_records_the_sender_and_replies_to_it()
    {
        var client = CreateTestProbe("client");
        var echo = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), "fwd");
        client.Send(echo, "hello");
        ExpectMsg("hello");
        Assert.Same(client.Ref, Probe.LastSender);
        Probe.Reply("back");
        client.ExpectMsg("back");
        Assert.Same(TestActor, client.LastSender);
        Assert.Equal("cm://test/system/probe-client", client.Ref.Path.ToString());
    }

    [Fact]
    public void Probe_without_a_sender_cannot_reply()
    {
        Assert.Throws<TestKitAssertionException>(() => Probe.Reply("x"));
    }

    [Fact]
    public void ExpectTerminated_fails_for_another_actor()
    {
        var a = Sys.ActorOf(Props.Create(() => new Counter()), "a");
        var b = Sys.ActorOf(Props.Create(() => new Counter()), "b");
        Watch(a);
        Sys.Stop(a);
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectTerminated(b));
        Assert.Contains("Expected Terminated(cm://test/user/b)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapturedLogs_keep_entries_and_filter_errors_by_exception_type()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        ExpectErrors<BoomException>(1, () => actor.Tell(new Fail(new BoomException()), TestActor));
        var error = Assert.Single(Logs.Errors<BoomException>());
        Assert.Contains("cm://test/user/counter", error.Message, StringComparison.Ordinal);
        Assert.Empty(Logs.Errors<InvalidOperationException>());
        Assert.Contains(error, Logs.Entries);
    }

    private sealed class Tally : ReceiveActor
    {
        public Tally()
        {
            Receive<int>(i => Total += i);
            Receive<Fail>(f => throw f.Cause);
        }

        public int Total { get; private set; }
    }
}

public sealed class ManualTimeTests
{
    [Fact]
    public void Advance_fires_due_timers_in_due_order_on_the_calling_thread()
    {
        var time = new ManualTime();
        var fired = new List<string>();
        var thread = Environment.CurrentManagedThreadId;
        using var late = time.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add("early@" + (Environment.CurrentManagedThreadId == thread)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var periodic = time.CreateTimer(_ => fired.Add("tick"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        Assert.Equal(3, time.ActiveTimers);
        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(["early@True", "tick", "late", "tick"], fired);
        Assert.Equal(start + TimeSpan.FromSeconds(4), time.GetUtcNow());
        Assert.Equal(1, time.ActiveTimers); // only the periodic one is still scheduled
    }

    [Fact]
    public void Disposed_and_changed_timers_behave_like_real_ones()
    {
        var time = new ManualTime();
        var fired = 0;
        var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        Assert.True(timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
        timer.Dispose();
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, time.ActiveTimers);
        Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Next_due_is_when_the_earliest_scheduled_timer_fires()
    {
        var time = new ManualTime();
        var start = time.GetUtcNow();
        Assert.Null(time.NextDue);
        using var late = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var periodic = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        using var unscheduled = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(start + TimeSpan.FromSeconds(2), time.NextDue);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(start + TimeSpan.FromSeconds(3), time.NextDue);
        late.Dispose();
        Assert.Equal(start + TimeSpan.FromSeconds(4), time.NextDue);
    }

    [Fact]
    public void Elapsed_time_follows_the_manual_clock()
    {
        var time = new ManualTime();
        var start = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), time.GetElapsedTime(start));
    }
}
