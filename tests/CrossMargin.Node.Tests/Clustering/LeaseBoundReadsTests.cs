using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Which deliveries a lost lease cuts: every kind of read (a pre-trade check approved from a stale balance is real
/// money), in flight or arriving later, and never a write, whose exactly-once rests on the journal's fence.
/// </summary>
public sealed class LeaseBoundReadsTests
{
    private static ShardDelivery Delivery(string type) => new()
    {
        Body = ReadOnlyMemory<byte>.Empty,
        MessageId = "m-" + type,
        Type = type,
        AccountId = "acc",
        Shard = 0,
        Redelivered = false,
        Attempt = 1,
    };

    [Theory]
    [InlineData(AccountMessageTypes.GetAccount)]
    [InlineData(AccountMessageTypes.ExplainMargin)]
    [InlineData(AccountMessageTypes.PreTrade)]
    [InlineData(ClusterMessageTypes.GetAccountView)]
    public async Task A_read_in_flight_is_cancelled_by_the_cut_and_one_arriving_after_it_starts_cancelled(string type)
    {
        var seen = new List<CancellationToken>();
        var answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = new LeaseBoundReads(async (_, token) =>
        {
            seen.Add(token);
            await answering.Task.WaitAsync(token);
        });

        var inFlight = reads.HandleAsync(Delivery(type), CancellationToken.None);
        reads.Cut();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inFlight);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reads.HandleAsync(Delivery(type), CancellationToken.None));
        Assert.All(seen, token => Assert.True(token.IsCancellationRequested));
    }

    [Theory]
    [InlineData("deposit")]
    [InlineData("execution")]
    [InlineData(ClusterMessageTypes.CancelAllOrders)]
    [InlineData(null)]
    public async Task A_write_keeps_the_consumers_token_through_the_cut(string? type)
    {
        using var consumer = new CancellationTokenSource();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        var reads = new LeaseBoundReads(async (_, token) =>
        {
            seen = token;
            await applied.Task;
        });

        var write = reads.HandleAsync(Delivery(type!), consumer.Token);
        reads.Cut();
        applied.SetResult();

        await write;
        Assert.Equal(consumer.Token, seen);
        Assert.False(seen.IsCancellationRequested);
    }
}
