using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Which deliveries a lost lease cuts: every kind of read (a pre-trade check approved from a stale balance is real
/// money), a shard's or the liquidation queue's, in flight or arriving later, and never a write, whose exactly-once rests
/// on the journal's fence.
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
    public Task A_read_in_flight_is_cancelled_by_the_cut_and_one_arriving_after_it_starts_cancelled(string type) => CutAsync(type, null);

    [Theory]
    [InlineData(ClusterMessageTypes.ListLiquidations)]
    [InlineData(ClusterMessageTypes.ShowLiquidation)]
    [InlineData(ClusterMessageTypes.ListHalts)]
    [InlineData(ClusterMessageTypes.ListUnbalancedAdl)]
    [InlineData(ClusterMessageTypes.ShowFund)]
    public Task A_liquidation_read_in_flight_is_cancelled_by_the_cut_and_one_arriving_after_it_starts_cancelled(string type) =>
        CutAsync(type, LeaseBoundReads.IsLiquidationRead);

    [Theory]
    [InlineData("deposit")]
    [InlineData("execution")]
    [InlineData(ClusterMessageTypes.CancelAllOrders)]
    [InlineData(null)]
    public Task A_write_keeps_the_consumers_token_through_the_cut(string? type) => KeptAsync(type, null);

    [Theory]
    [InlineData(ClusterMessageTypes.Breach)]
    [InlineData(ClusterMessageTypes.OrderReport)]
    [InlineData(ClusterMessageTypes.Halt)]
    [InlineData(ClusterMessageTypes.Resume)]
    [InlineData(ClusterMessageTypes.RebookAdl)]
    [InlineData(ClusterMessageTypes.FundDeposit)]
    [InlineData(ClusterMessageTypes.FundCoverUncovered)]
    [InlineData(null)]
    public Task A_liquidation_change_keeps_the_consumers_token_through_the_cut(string? type) => KeptAsync(type, LeaseBoundReads.IsLiquidationRead);

    private static async Task CutAsync(string type, Func<string?, bool>? isRead)
    {
        var seen = new List<CancellationToken>();
        var answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = new LeaseBoundReads(async (_, token) =>
        {
            seen.Add(token);
            await answering.Task.WaitAsync(token);
        }, isRead);

        var inFlight = reads.HandleAsync(Delivery(type), CancellationToken.None);
        reads.Cut();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inFlight);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reads.HandleAsync(Delivery(type), CancellationToken.None));
        Assert.All(seen, token => Assert.True(token.IsCancellationRequested));
    }

    private static async Task KeptAsync(string? type, Func<string?, bool>? isRead)
    {
        using var consumer = new CancellationTokenSource();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        var reads = new LeaseBoundReads(async (_, token) =>
        {
            seen = token;
            await applied.Task;
        }, isRead);

        var write = reads.HandleAsync(Delivery(type!), consumer.Token);
        reads.Cut();
        applied.SetResult();

        await write;
        Assert.Equal(consumer.Token, seen);
        Assert.False(seen.IsCancellationRequested);
    }
}
