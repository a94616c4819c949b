using Microsoft.Playwright;

namespace CrossMargin.Dashboard.Tests;

/// <summary>Debian's Chromium driven by Playwright, and a page whose console errors and script errors are collected.</summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => ScriptErrors.Add(error);
    }

    public IPage Page { get; }

    /// <summary>Console messages of level error (Chromium logs every refused request here too).</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Uncaught exceptions of the page's script.</summary>
    public List<string> ScriptErrors { get; } = [];

    public static async Task<Browser> OpenAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        return new Browser(playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
