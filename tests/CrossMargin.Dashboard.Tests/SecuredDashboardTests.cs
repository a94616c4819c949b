using Microsoft.Playwright;

namespace CrossMargin.Dashboard.Tests;

public sealed class SecuredDashboardTests
{
    private const string ViewerToken = "dashboard-viewer-token-0123456789";

    [Fact]
    public async Task Without_anonymous_reads_the_page_asks_for_a_token_says_when_it_is_refused_and_then_shows_live_data()
    {
        await using var node = await KestrelNode.StartAsync("--Simulator:Enabled=true", "--Simulator:Traders=20", "--Security:AllowAnonymousReads=false",
            "--Security:Tokens:viewer:Token=" + ViewerToken, "--Security:Tokens:viewer:Role=Read");
        await using var browser = await Browser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(node.Url.ToString());

        await Assertions.Expect(page.Locator("#token-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#auth-message")).ToContainTextAsync("needs a token");
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("token needed");
        Assert.Equal(0, await page.Locator("#price-tiles .tile").CountAsync());

        await page.FillAsync("#token-input", "not-the-token");
        await page.ClickAsync("#token-form button");
        await Assertions.Expect(page.Locator("#auth-message")).ToContainTextAsync("refused (403)");

        await page.FillAsync("#token-input", ViewerToken);
        await page.ClickAsync("#token-form button");
        await Assertions.Expect(page.Locator("#token-form")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#caller")).ToHaveTextAsync("as viewer");
        var btc = page.Locator("#price-BTC .index");
        await Assertions.Expect(btc).Not.ToBeEmptyAsync(new LocatorAssertionsToBeEmptyOptions { Timeout = 30_000 });
        var first = await btc.TextContentAsync();
        await Assertions.Expect(btc).Not.ToHaveTextAsync(first!, new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#account-count")).Not.ToHaveTextAsync("0", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#cluster-members .member")).ToHaveCountAsync(1);

        // The token lives in the tab's session: a reload goes straight to live data.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#token-form")).ToBeHiddenAsync();

        Assert.Empty(browser.ScriptErrors);
        // The wrong token's check is the one refused request; Chromium logs it as a console error.
        Assert.All(browser.ConsoleErrors, e => Assert.Contains("403", e, StringComparison.Ordinal));
        Assert.Single(browser.ConsoleErrors);
    }
}
