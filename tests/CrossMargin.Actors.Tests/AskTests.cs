using CrossMargin.Actors.Events;
using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class AskTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private IActorRef StartResponder(string name = "responder") => Sys.ActorOf(Props.Create(() => new Responder()), name);

    [Fact]
    public async Task Ask_completes_with_the_reply()
    {
        var responder = StartResponder();
        Assert.Equal("echo:hi", await responder.Ask<string>("hi", AskTimeout).WaitAsync(Wait));
    }

    [Fact]
    public async Task Ask_times_out_naming_the_target_path_and_the_message_type()
    {
        var responder = StartResponder("slowpoke");
        var ask = responder.Ask<string>(new Hold(), TimeSpan.FromSeconds(2));
        Time!.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(ask.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(0.2));
        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Wait));
        Assert.Contains("cm://test/user/slowpoke", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Hold), e.Message, StringComparison.Ordinal);
        Assert.Contains("2000 ms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_without_a_timeout_uses_the_system_AskTimeout()
    {
        var ask = StartResponder().Ask<string>(new Hold());
        Time!.Advance(Sys.Options.AskTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(ask.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Wait));
    }

    [Fact]
    public async Task Status_Failure_reply_faults_the_task_with_its_cause()
    {
        var cause = new BoomException("refused");
        var e = await Assert.ThrowsAsync<BoomException>(() => StartResponder().Ask<string>(new Status.Failure(cause), AskTimeout).WaitAsync(Wait));
        Assert.Same(cause, e);
    }

    [Fact]
    public async Task Reply_of_the_wrong_type_faults_the_task_with_InvalidCastException()
    {
        var e = await Assert.ThrowsAsync<InvalidCastException>(() => StartResponder("typed").Ask<int>("hi", AskTimeout).WaitAsync(Wait));
        Assert.Contains("Int32", e.Message, StringComparison.Ordinal);
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
        Assert.Contains("typed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_can_be_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var ask = StartResponder().Ask<string>(new Hold(), AskTimeout, cancellation.Token);
        Assert.Equal(1, Time!.ActiveTimers);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask.WaitAsync(Wait));
        Assert.True(ask.IsCanceled);
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public async Task Ask_with_an_already_cancelled_token_is_cancelled_at_once()
    {
        var ask = StartResponder().Ask<string>("hi", AskTimeout, new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask.WaitAsync(Wait));
        Assert.Equal(0, Time!.ActiveTimers);
    }

    [Fact]
    public async Task Completed_asks_leave_no_timer_behind()
    {
        var responder = StartResponder();
        Assert.Equal(0, Time!.ActiveTimers);
        var held = responder.Ask<string>(new Hold(), AskTimeout);
        Assert.Equal(1, Time.ActiveTimers); // a pending Ask owns exactly one timer
        var asks = Enumerable.Range(0, 20).Select(i => responder.Ask<string>("m" + i, AskTimeout)).ToList();
        await Task.WhenAll(asks).WaitAsync(Wait);
        AwaitCondition(() => Time.ActiveTimers == 1, message: $"{Time.ActiveTimers} timers left");
        responder.Tell("release", TestActor);
        Assert.Equal("late", await held.WaitAsync(Wait));
        AwaitCondition(() => Time.ActiveTimers == 0, message: $"{Time.ActiveTimers} timers left");

        await Assert.ThrowsAsync<BoomException>(() => responder.Ask<string>(new Status.Failure(new BoomException()), AskTimeout).WaitAsync(Wait));
        AwaitCondition(() => Time.ActiveTimers == 0, message: "after a failure");

        var timedOut = responder.Ask<string>(new Hold(), AskTimeout);
        Time.Advance(AskTimeout);
        await Assert.ThrowsAsync<AskTimeoutException>(() => timedOut.WaitAsync(Wait));
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public async Task Late_reply_becomes_a_dead_letter()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var responder = StartResponder();
        var ask = responder.Ask<string>(new Hold(), TimeSpan.FromSeconds(1));
        Time!.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Wait));

        responder.Tell("release", TestActor);
        var letter = deadLetters.ExpectMsg<DeadLetter>();
        Assert.Equal("late", letter.Message);
        Assert.Contains("/temp/", letter.Recipient.Path.ToString(), StringComparison.Ordinal);
        Assert.Same(responder, letter.Sender);
    }

    [Fact]
    public async Task Second_reply_becomes_a_dead_letter()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        Assert.Equal("one", await StartResponder().Ask<string>(new Twice(), AskTimeout).WaitAsync(Wait));
        Assert.Equal("two", deadLetters.ExpectMsg<DeadLetter>().Message);
    }

    [Fact]
    public async Task Ask_of_a_stopped_actor_fails_at_once_naming_the_target_and_the_message_type_and_the_request_is_a_dead_letter()
    {
        var responder = StartResponder("gone");
        Watch(responder);
        Sys.Stop(responder);
        ExpectTerminated(responder);
        var before = Sys.DeadLetterCount;

        // The clock never moves: only the dead letter can end this ask.
        var ask = responder.Ask<string>(new Hold(), AskTimeout);
        Assert.Equal(before + 1, Sys.DeadLetterCount);
        var e = await Assert.ThrowsAsync<AskTargetStoppedException>(() => ask.WaitAsync(Wait));
        Assert.Contains("cm://test/user/gone", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Hold), e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AskTimeoutException>(e);
        Assert.Equal(0, Time!.ActiveTimers);
    }

    [Fact]
    public async Task Ask_whose_request_waits_in_the_mailbox_of_an_actor_that_stops_fails_when_the_request_is_dead_lettered()
    {
        using var gate = new Gate();
        var busy = Sys.ActorOf(Props.Create(() => new GatedResponder(gate)), "busy");
        busy.Tell("block", TestActor);
        gate.WaitEntered();
        var ask = busy.Ask<string>("hi", AskTimeout);
        Sys.Stop(busy);
        gate.Open();

        var e = await Assert.ThrowsAsync<AskTargetStoppedException>(() => ask.WaitAsync(Wait));
        Assert.Contains("cm://test/user/busy", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(String), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_whose_request_is_stashed_by_an_actor_that_stops_fails_when_the_stash_is_dead_lettered()
    {
        var stasher = Sys.ActorOf(Props.Create(() => new StashingResponder()), "stasher");
        var ask = stasher.Ask<string>("hi", AskTimeout);
        AwaitIdle(); // stashed: handled, and no longer in the mailbox
        Assert.False(ask.IsCompleted);
        Sys.Stop(stasher);

        var e = await Assert.ThrowsAsync<AskTargetStoppedException>(() => ask.WaitAsync(Wait));
        Assert.Contains("cm://test/user/stasher", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_whose_request_is_forwarded_to_a_stopped_actor_still_waits_for_an_answer_from_elsewhere()
    {
        // Only the request dying at its own target fails the ask: a dead letter of the request on its way elsewhere
        // (the target forwarded it to a stopped worker) says nothing about whether the target will still answer.
        var worker = StartResponder("worker");
        Watch(worker);
        Sys.Stop(worker);
        ExpectTerminated(worker);
        var front = Sys.ActorOf(Props.Create(() => new Forwarder(worker)), "front");
        var ask = front.Ask<string>("hi", AskTimeout);
        AwaitCondition(() => Sys.DeadLetterCount > 0, message: "the forwarded request never became a dead letter");
        AwaitIdle();
        Assert.False(ask.IsCompleted);
        Time!.Advance(AskTimeout);
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Wait));
    }

    [Fact]
    public void Ask_rejects_null_message_and_non_positive_timeout()
    {
        var responder = StartResponder();
        Assert.Throws<ArgumentNullException>(() => { _ = responder.Ask<string>(null!); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = responder.Ask<string>("x", TimeSpan.Zero); });
        Assert.Throws<NotSupportedException>(() => { _ = ActorRefs.Nobody.Ask<string>("x"); });
        Assert.Equal(0, Time!.ActiveTimers);
    }

    [Fact]
    public async Task Asks_sharing_a_timeout_share_one_timer_and_each_times_out_at_its_own_deadline()
    {
        var first = StartResponder("first");
        var second = StartResponder("second");
        var early = first.Ask<string>(new Hold(), TimeSpan.FromSeconds(2));
        Time!.Advance(TimeSpan.FromSeconds(0.5));
        var late = second.Ask<string>(new Hold(), TimeSpan.FromSeconds(2));
        Assert.Equal(1, Time.ActiveTimers);

        Time.Advance(TimeSpan.FromSeconds(1.5));
        await Assert.ThrowsAsync<AskTimeoutException>(() => early.WaitAsync(Wait));
        Assert.False(late.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(0.499));
        Assert.False(late.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(0.001));
        await Assert.ThrowsAsync<AskTimeoutException>(() => late.WaitAsync(Wait));
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public async Task An_answered_ask_ahead_of_others_neither_expires_nor_hastens_the_ones_behind_it()
    {
        var first = StartResponder("first");
        var second = StartResponder("second");
        var answered = first.Ask<string>(new Hold(), TimeSpan.FromSeconds(2));
        Time!.Advance(TimeSpan.FromSeconds(1));
        var waiting = second.Ask<string>(new Hold(), TimeSpan.FromSeconds(2));
        first.Tell("release", TestActor);
        Assert.Equal("late", await answered.WaitAsync(Wait));

        Time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(waiting.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(0.5));
        await Assert.ThrowsAsync<AskTimeoutException>(() => waiting.WaitAsync(Wait));
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public async Task Asks_with_different_timeouts_expire_in_deadline_order_not_in_the_order_made()
    {
        var first = StartResponder("first");
        var second = StartResponder("second");
        var slow = first.Ask<string>(new Hold(), TimeSpan.FromSeconds(3));
        var fast = second.Ask<string>(new Hold(), TimeSpan.FromSeconds(1));
        Assert.Equal(2, Time!.ActiveTimers);

        Time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => fast.WaitAsync(Wait));
        Assert.False(slow.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<AskTimeoutException>(() => slow.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_cancelled_ask_is_withdrawn_from_the_shared_timer()
    {
        var responder = StartResponder();
        using var cancel = new CancellationTokenSource();
        var cancelled = responder.Ask<string>(new Hold(), AskTimeout, cancel.Token);
        Assert.Equal(1, Time!.ActiveTimers);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));
        Assert.Equal(0, Time.ActiveTimers);
    }

    private sealed record Hold;

    private sealed record Twice;

    private sealed class StashingResponder : ReceiveActor
    {
        public StashingResponder() => ReceiveAny(_ => Stash.Stash());
    }

    private sealed class GatedResponder : ReceiveActor
    {
        public GatedResponder(Gate gate)
        {
            Receive<string>(_ => gate.Pass(), s => s == "block");
            Receive<string>(s => Sender.Tell("echo:" + s));
        }
    }

    private sealed class Responder : ReceiveActor
    {
        private IActorRef? _held;

        public Responder()
        {
            Receive<Hold>(_ => _held = Sender);
            Receive<Twice>(_ =>
            {
                Sender.Tell("one");
                Sender.Tell("two");
            });
            Receive<Status.Failure>(f => Sender.Tell(f));
            Receive<string>(_ => _held?.Tell("late"), s => s == "release");
            Receive<string>(s => Sender.Tell("echo:" + s));
        }
    }
}
