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
        await Assertions.Expect(page.Locator("#price-BTC .age")).ToContainTextAsync("updated ");

        // The histogram puts every live account in one of its eleven buckets (read in one go: the panel re-renders every 2 s).
        await Assertions.Expect(page.Locator("#histogram .bar")).ToHaveCountAsync(11);
        var histogram = await page.EvaluateAsync<int[]>("""
            () => [[...document.querySelectorAll('#histogram .bar .count')].reduce((n, c) => n + Number(c.textContent), 0),
                   Number(document.querySelector('#account-count').textContent)]
            """);
        Assert.Equal(histogram[1], histogram[0]);

        // The accounts table sorts by the column clicked, descending first, then ascending on a second click.
        var header = page.Locator("#at-risk th[data-key=accountId]");
        await header.ClickAsync();
        await Assertions.Expect(header).ToHaveClassAsync("sorted");
        Assert.True(await AccountsSortedAsync(page, descending: true), "accounts not sorted by id, descending, after one click");
        await header.ClickAsync();
        Assert.True(await AccountsSortedAsync(page, descending: false), "accounts not sorted by id, ascending, after a second click");

        // Account figures follow the marks too, not only the price tiles.
        var figures = await page.Locator("#at-risk tbody").TextContentAsync();
        await Assertions.Expect(page.Locator("#at-risk tbody")).Not.ToHaveTextAsync(figures!, new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

        // The scripted crash liquidates the most leveraged traders; their liquidations appear, with their steps.
        var liquidations = page.Locator("#liquidations tbody tr");
        await Assertions.Expect(liquidations.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 180_000 });

        // A row stays the same element while the list refreshes: one replaced between a click's press and release loses
        // the click (it reaches the table body), which under load left the steps empty. Two refreshes of the list later
        // (polls do not overlap, so the first has rendered) the row is still in the page.
        var row = await liquidations.First.ElementHandleAsync();
        for (var refresh = 0; refresh < 2; refresh++)
        {
            await page.WaitForResponseAsync(r => r.Url.EndsWith("/api/v1/liquidations", StringComparison.Ordinal), new PageWaitForResponseOptions { Timeout = 30_000 });
        }

        Assert.True(await row.EvaluateAsync<bool>("r => r.isConnected"), "the liquidation row was replaced by a refresh of the list");
        await liquidations.First.ClickAsync();
        await Assertions.Expect(page.Locator("#liquidation-steps")).ToContainTextAsync("1. ", new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#feed li").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });

        // The insurance fund has a value and a line drawn through the values polled so far.
        await Assertions.Expect(page.Locator("#fund-value")).Not.ToHaveTextAsync("–");
        var plotted = await page.Locator("#fund-line").GetAttributeAsync("points");
        Assert.True((plotted ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2, $"fund line has too few points: '{plotted}'");

        var screenshot = Path.Combine(ArtifactDirectory(), "dashboard-after-crash.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
        Assert.Empty(browser.ConsoleErrors);
        Assert.Empty(browser.ScriptErrors);
    }

    private static Task<bool> AccountsSortedAsync(IPage page, bool descending) => page.EvaluateAsync<bool>("""
        descending => {
          const ids = [...document.querySelectorAll('#at-risk tbody tr')].map(r => r.dataset.account);
          return ids.length > 1 && ids.every((id, i) => i === 0 || (descending ? ids[i - 1].localeCompare(id) >= 0 : ids[i - 1].localeCompare(id) <= 0));
        }
        """, descending);

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
