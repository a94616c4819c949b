using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class ReceiveAsyncTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IActorRef StartWorker() => Sys.ActorOf(Props.Create(() => new AsyncWorker(TestActor, _release.Task)), "worker");

    [Fact]
    public void A_second_message_is_not_processed_while_the_first_awaits()
    {
        var worker = StartWorker();
        worker.Tell("work", TestActor);
        ExpectMsg("started work");
        worker.Tell("ping", TestActor);
        worker.Tell("ping2", TestActor);
        ExpectNoMsg(Quiet);
        _release.SetResult();
        ExpectMsg("done work");
        ExpectMsg("context ok cm://test/user/worker");
        ExpectMsg("pong ping");
        ExpectMsg("pong ping2");
    }

    [Fact]
    public void Sender_Self_and_Context_are_still_valid_after_await()
    {
        var worker = StartWorker();
        var client = CreateTestProbe();
        client.Send(worker, "work");
        ExpectMsg("started work");
        _release.SetResult();
        client.ExpectMsg("done work");
        Assert.Same(worker, client.LastSender);
        ExpectMsg("context ok cm://test/user/worker");
    }

    [Fact]
    public void A_faulted_task_goes_to_supervision()
    {
        var worker = StartWorker();
        worker.Tell("inc", TestActor);
        worker.Tell("get", TestActor);
        ExpectMsg(1);
        ExpectErrors<BoomException>(1, () => worker.Tell(new Fail(new BoomException()), TestActor));
        worker.Tell("get", TestActor);
        ExpectMsg(0); // restarted: the count was dropped
    }

    [Fact]
    public void A_handler_that_throws_before_its_first_await_goes_to_supervision()
    {
        var worker = StartWorker();
        ExpectErrors<BoomException>(1, () => worker.Tell(new FailAtOnce(), TestActor));
        worker.Tell("ping", TestActor);
        ExpectMsg("pong ping");
    }

    [Fact]
    public void Stop_while_awaiting_waits_for_the_handler()
    {
        var worker = StartWorker();
        var watcher = CreateTestProbe();
        watcher.Watch(worker);
        worker.Tell("work", TestActor);
        ExpectMsg("started work");
        worker.Tell("ping", TestActor);
        Sys.Stop(worker);
        watcher.ExpectNoMsg(Quiet);
        _release.SetResult();
        ExpectMsg("done work");
        ExpectMsg("context ok cm://test/user/worker");
        watcher.ExpectTerminated(worker);
        ExpectNoMsg(Quiet); // "ping" was queued behind the stop: it became a dead letter
    }

    [Fact]
    public void PoisonPill_waits_for_the_handler_like_any_message()
    {
        var worker = StartWorker();
        var watcher = CreateTestProbe();
        watcher.Watch(worker);
        worker.Tell("work", TestActor);
        ExpectMsg("started work");
        worker.Tell(PoisonPill.Instance, TestActor);
        watcher.ExpectNoMsg(Quiet);
        _release.SetResult();
        ExpectMsg("done work");
        watcher.ExpectTerminated(worker);
    }

    [Fact]
    public void A_handler_that_completes_synchronously_does_not_hold_the_mailbox()
    {
        var worker = StartWorker();
        worker.Tell(new Sync(), TestActor);
        worker.Tell("ping", TestActor);
        ExpectMsg("sync");
        ExpectMsg("pong ping");
    }

    private sealed record FailAtOnce;

    private sealed record Sync;

    [Fact]
    public void RunTask_with_state_holds_the_mailbox_and_resumes_on_the_actors_turn_with_that_state()
    {
        var worker = Sys.ActorOf(Props.Create(() => new StateTaskWorker(TestActor, _release.Task)), "state-worker");
        worker.Tell("work", TestActor);
        ExpectMsg("started work");
        worker.Tell("ping", TestActor);
        ExpectNoMsg(Quiet);
        _release.SetResult();
        ExpectMsg("done work on cm://test/user/state-worker");
        ExpectMsg("pong ping");
    }

    private sealed class StateTaskWorker(IActorRef probe, Task release) : ActorBase
    {
        protected internal override bool Receive(object message)
        {
            if (message is not string text)
            {
                return false;
            }

            if (text != "work")
            {
                Sender.Tell("pong " + text);
                return true;
            }

            probe.Tell("started " + text);
            RunTask(static s => s.Worker.WorkAsync(s.Text), (Worker: this, Text: text));
            return true;
        }

        private async Task WorkAsync(string text)
        {
            await release;

            Context.SetReceiveTimeout(null); // throws when used off the actor's turn
            probe.Tell($"done {text} on {Context.Self.Path}");
        }
    }

    private sealed class AsyncWorker : ReceiveActor
    {
        private int _count;

        public AsyncWorker(IActorRef probe, Task release)
        {
            ReceiveAsync<string>(async s =>
            {
                probe.Tell("started " + s);
                await release;
                Sender.Tell("done " + s);
                Context.SetReceiveTimeout(null); // throws when used off the actor's turn
                probe.Tell("context ok " + Context.Self.Path);
            }, s => s == "work");
            Receive<string>(_ => _count++, s => s == "inc");
            Receive<string>(_ => Sender.Tell(_count), s => s == "get");
            Receive<string>(s => Sender.Tell("pong " + s));
            ReceiveAsync<Fail>(async f =>
            {
                await Task.Yield();
                throw f.Cause;
            });
            ReceiveAsync<FailAtOnce>(_ => throw new BoomException("at once"));
            ReceiveAsync<Sync>(_ =>
            {
                Sender.Tell("sync");
                return Task.CompletedTask;
            });
        }
    }
}
