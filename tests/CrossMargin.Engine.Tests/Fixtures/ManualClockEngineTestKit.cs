using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>
/// A whole engine on a clock the test moves (<see cref="TestKit.Time"/>): it opens on 2026-01-01, the manual clock's
/// start, on <see cref="TestMarket"/> with its March contracts listed, so a test can let time pass without a tick.
/// Asks are bounded by <see cref="Answer"/> on the wall clock: the manual clock never times them out.
/// </summary>
public abstract class ManualClockEngineTestKit(ITestOutputHelper? output = null) : EngineTestKit(output, new TestKitSettings { ManualTime = true })
{
    /// <summary>How long a test waits, on the wall clock, for an answer.</summary>
    protected static TimeSpan Answer { get; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening() =>
        (TestMarket.Build(60_000m, 3_000m), [.. TestMarket.Build().AssetPrices.Keys], new LiquidationOptions());

    /// <summary>The margin figures the engine answers for <paramref name="account"/> now.</summary>
    protected MarginSummary Margin(string account) =>
        Assert.IsType<AccountView>(Engine.GetAccountAsync(account).WaitAsync(Answer).GetAwaiter().GetResult()).Margin!;
}
