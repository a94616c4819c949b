using CrossMargin.Engine.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>How the coordinator and the fund are stopped together (<see cref="Engine.Liquidations.LiquidationSingleton.StopAsync"/>).</summary>
public sealed class LiquidationSingletonStopTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    /// <summary>
    /// A lease lost while the node shuts down stops the singleton on a system already terminating: no actor can be started
    /// there any more to stop the two in order, and the system stops them anyway. The stop reports them stopped once the
    /// system has. Before, the refused start escaped as an <see cref="InvalidOperationException"/> into the lease's stop.
    /// </summary>
    [Fact]
    public async Task Stopping_the_singleton_while_its_system_terminates_waits_for_the_system_instead_of_failing()
    {
        var singleton = Engine.Liquidation!;
        var terminating = Sys.Terminate();

        Assert.True(await singleton.StopAsync(Answer));
        Assert.True(terminating.IsCompleted);
    }
}
