using Microsoft.Playwright;

namespace CrossMargin.Dashboard.Tests;

public sealed class DashboardTests
{
    [Fact]
    public async Task The_dashboard_loads_cleanly_follows_the_marks_and_shows_the_liquidations_of_a_crash()
    {
        await using var node = await KestrelNode.StartAsync("--Simulator:Enabled=true", "--Simulator:Traders=60", "--Simulator:CrashAfter=00:00:10",
            "--Simulator:CrashDuration=00:00:05");
        await using var browser = await Browser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(node.Url.ToString());

        // Prices arrive over the event stream, and move with the simulator's marks.
        var btc = page.Locator("#price-BTC .index");
        await Assertions.Expect(btc).Not.ToBeEmptyAsync(new LocatorAssertionsToBeEmptyOptions { Timeout = 30_000 });
        var first = await btc.TextContentAsync();
        await Assertions.Expect(btc).Not.ToHaveTextAsync(first!, new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live");
        await Assertions.Expect(page.Locator("#cluster-members .member")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#account-count")).Not.ToHaveTextAsync("0", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

        // The scripted crash liquidates the most leveraged traders; their liquidations appear, with their steps.
        var liquidations = page.Locator("#liquidations tbody tr");
        await Assertions.Expect(liquidations.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 180_000 });
        await liquidations.First.ClickAsync();
        await Assertions.Expect(page.Locator("#liquidation-steps")).ToContainTextAsync("1. ", new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#feed li").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });

        var screenshot = Path.Combine(ArtifactDirectory(), "dashboard-after-crash.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
        Assert.Empty(browser.ConsoleErrors);
        Assert.Empty(browser.ScriptErrors);
    }

    /// <summary>TestResults/dashboard beside the test project (where <c>dotnet test</c> puts its results), kept after the run.</summary>
    private static string ArtifactDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CrossMargin.Dashboard.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        var results = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "dashboard");
        Directory.CreateDirectory(results);
        return results;
    }
}
