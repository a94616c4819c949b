using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Clustering;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// How a breach report or a venue's order report on the liquidation queue is handed to a coordinator that has stopped
/// (a failed journal write or recovery stops it; the node gives the singleton up on its next tick and stops the queue's
/// consumer, which returns the deliveries it holds). An ask of a stopped actor fails at once since session 34 (kstop):
/// failed at once, the delivery would be requeued at once and its redeliveries would spend every attempt
/// (<c>RabbitMq:MaxDeliveryAttempts</c>) before that tick, ending in the dead-letter queue.
/// </summary>
public sealed class LiquidationHandOverTests : IAsyncLifetime
{
    private static readonly AccountBreached Breach = new("acc-1", MarginStatus.Liquidation, 90m, 200m, 100m, DateTimeOffset.UnixEpoch);
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("hand-over");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_report_for_a_coordinator_that_stopped_waits_for_the_consumers_stop_and_is_returned_to_the_queue_not_failed_at_once()
    {
        var coordinator = await StoppedAsync();
        using var consumerStop = new CancellationTokenSource();

        var handing = LiquidationDeliveries.HandOverAsync(coordinator, Breach, TimeSpan.FromHours(1), consumerStop.Token);
        consumerStop.Cancel();

        // Cancelled by the consumer's stop: the consumer returns it to the queue without counting an attempt.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handing);
    }

    [Fact]
    public async Task A_report_for_a_coordinator_that_stopped_still_fails_once_the_ask_timeout_passed_when_nothing_stops_the_consumer()
    {
        var coordinator = await StoppedAsync();

        var e = await Assert.ThrowsAsync<AskTargetStoppedException>(
            () => LiquidationDeliveries.HandOverAsync(coordinator, Breach, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Contains(nameof(GetHaltedInstruments), e.Message, StringComparison.Ordinal);
    }

    private async Task<IActorRef> StoppedAsync()
    {
        var coordinator = _system.ActorOf(Props.Create(() => new Silent()), "coordinator");
        var terminated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new Watcher(coordinator, terminated)));
        _system.Stop(coordinator);
        await terminated.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return coordinator;
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef watched, TaskCompletionSource terminated)
        {
            Context.Watch(watched);
            Receive<Terminated>(_ => terminated.TrySetResult());
        }
    }
}
