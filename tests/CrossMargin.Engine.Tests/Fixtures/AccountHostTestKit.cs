using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>A TestKit with a fresh <see cref="AccountHost"/> (SQLite journal, test market, calculators) per test.</summary>
public abstract class AccountHostTestKit(ITestOutputHelper? output = null, TestKitSettings? settings = null) : TestKit(output, settings)
{
    /// <summary>The accounts' surroundings.</summary>
    protected AccountHost Host { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await AccountHost.OpenAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Host.DisposeAsync();
    }
}
