using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>Runs alone (<see cref="EngineMetricsRunAlone"/>): the histogram is process-wide.</summary>
[Collection(EngineMetricsRunAlone.Name)]
public sealed class ExecutionLatencyTests(ITestOutputHelper output) : AccountHostTestKit(output)
{
    private const string Venue = AccountFixture.Venue;

    [Fact]
    public void Each_execution_made_durable_records_one_margin_latency_and_nothing_else_records_any()
    {
        var recorded = new List<double>();
        using var listener = EngineMeasurements.Listen<double>("crossmargin.execution.margin_latency", (_, value, _, _) =>
        {
            lock (recorded)
            {
                recorded.Add(value);
            }
        });
        var account = Sys.ActorOf(AccountActor.Props("acc-1", Host.Settings()));

        account.Tell(new OpenAccount("open", AccountFixture.Accounts, 1), TestActor);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        account.Tell(Buy("m2", 2), TestActor);
        account.Tell(Buy("m2", 2), TestActor);
        account.Tell(Buy("m3", 3), TestActor);
        ExpectMsg<CommandAccepted>();
        ExpectMsg<CommandAccepted>();
        ExpectMsg<CommandAccepted>();
        ExpectMsg<CommandDuplicate>();
        ExpectMsg<CommandAccepted>();

        // Recorded before the reply: the opening, the deposit and the duplicate recorded nothing.
        lock (recorded)
        {
            Assert.Equal(2, recorded.Count);
            Assert.All(recorded, ms => Assert.True(ms > 0, $"{ms} ms"));
        }
    }

    private static ApplyExecution Buy(string id, long sequence) =>
        new(id, Venue, sequence, "x" + id, "o" + id, TestMarket.BtcUsdt, OrderSide.Buy, 0.1m, 60_000m, 0m, Liquidity.Taker, TestMarket.ValuationTime);
}
