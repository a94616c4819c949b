using Microsoft.Playwright;

namespace CrossMargin.Dashboard.Tests;

/// <summary>The liquidations table under refreshes that arrive many times a second during a crash.</summary>
public sealed class LiquidationListTests
{
    [Fact]
    public async Task A_refresh_never_takes_a_row_out_of_the_page_so_a_click_on_it_is_not_lost()
    {
        await using var node = await KestrelNode.StartAsync("--Simulator:Enabled=false");
        await using var browser = await Browser.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(node.Url.ToString());
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

        // Run in one turn of the page's script, the table's order read in it too, so none of its own polls renders in
        // between (a poll of this node's empty list between two evaluations emptied the table: a CI run read []). A
        // row taken out of the table and put back (a reorder, a new row on top) loses a click whose press and release
        // straddle it: that left the steps empty in a full-suite run (the crash's liquidations started within a few ms
        // of each other, and the list's order of equal start times is not fixed).
        var result = await page.EvaluateAsync<string[][]>("""
            () => {
              const at = (id, startedAt) => ({ liquidationId: id, accountId: "acc-" + id, status: "active", startedAt, steps: 1, lastStep: null });
              const t = "2026-11-24T06:25:44.123Z";
              renderLiquidations({ liquidations: [at("liq-a", t), at("liq-b", t)] });
              const observer = new MutationObserver(() => {});
              observer.observe(document.querySelector("#liquidations tbody"), { childList: true });
              renderLiquidations({ liquidations: [at("liq-b", t), at("liq-a", t)] });
              renderLiquidations({ liquidations: [at("liq-b", t), at("liq-c", "2026-11-24T06:25:45.000Z"), at("liq-a", t)] });
              renderLiquidations({ liquidations: [at("liq-c", "2026-11-24T06:25:45.000Z"), at("liq-a", t), at("liq-b", t)] });
              const records = observer.takeRecords();
              observer.disconnect();
              const order = [...document.querySelectorAll('#liquidations tbody tr')].map(r => r.dataset.liquidation);
              return [records.flatMap(r => [...r.removedNodes].map(n => n.dataset.liquidation)), order];
            }
            """);

        Assert.Empty(result[0]);
        Assert.Equal(["liq-c", "liq-a", "liq-b"], result[1]);
    }
}
