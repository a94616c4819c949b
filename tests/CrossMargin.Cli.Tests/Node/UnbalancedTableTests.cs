using System.Net;
using System.Text;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Tests.Node;

/// <summary><c>cm liquidations unbalanced</c>'s table against a node's answer given here, so unverified fills need no liquidation.</summary>
public sealed class UnbalancedTableTests
{
    /// <summary>
    /// Two fills whose bankrupt sides were refused idReused (unverified): acc-b's not rebooked yet, acc-c's rebooked with
    /// the operator's confirmation and booked. Only acc-b's asks the operator to check the bankrupt account's journal before
    /// --confirm-unverified: acc-c's is booked, nothing is left to confirm, and a hint to rebook it would invite a second
    /// look at a fill that is done. Before (08189c2) the hint followed every unverified fill, booked ones too: twice here.
    /// </summary>
    [Fact]
    public void Only_an_unverified_fill_not_booked_asks_the_operator_to_check_before_confirming()
    {
        const string answer = """
            {"open":1,"fills":[
              {"liquidationId":"liq-acc-1-1","round":1,"bankruptAccountId":"acc-1","counterpartyId":"acc-b","symbol":"BTC-PERP","side":"buy","quantity":0.5,
               "price":59000,"code":"idReused","reason":"applied under other content","since":"2026-03-02T08:00:05+00:00","attempts":0,"status":"unbalanced",
               "settlementPrice":null,"bookedAt":null,"unverified":true},
              {"liquidationId":"liq-acc-1-1","round":2,"bankruptAccountId":"acc-1","counterpartyId":"acc-c","symbol":"BTC-PERP","side":"buy","quantity":0.5,
               "price":59000,"code":"idReused","reason":"applied under other content","since":"2026-03-02T08:00:05+00:00","attempts":1,"status":"booked",
               "settlementPrice":null,"bookedAt":"2026-03-02T09:00:00+00:00","unverified":true}]}
            """;
        using var handler = new Answering(answer);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CliApp.Run(["liquidations", "unbalanced", "--node", "http://127.0.0.1:5081"], TextReader.Null, output, error,
            new NodeAccess { Handler = handler, Environment = _ => null });

        Assert.True(exit == ExitCodes.Ok, error.ToString());
        var text = output.ToString();
        Assert.Contains("1 not booked", text, StringComparison.Ordinal);
        Assert.True(CountOf(text, "(unverified") == 1, "The unverified hint should follow acc-b's fill alone, not the booked one:\n" + text);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private sealed class Answering(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
    }
}
