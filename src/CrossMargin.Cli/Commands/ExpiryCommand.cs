using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm expiry unsettled</c>.</summary>
public static class ExpiryCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var unsettled = new Command("unsettled",
            "Per expired instrument, the live accounts still holding it (a position or an order) that the venue has not settled; in a cluster, every member's (a partial answer exits 4).");
        var options = NodeCommandOptions.AddTo(unsettled);
        unsettled.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/expiries/unsettled", (body, console) =>
            {
                var instruments = JsonText.Items(body, "instruments").ToArray();
                Tables.Line(console, $"{instruments.Length} expired instrument(s) at {JsonText.Of(body, "valuationTime")}");
                var table = Tables.Create("Symbol", "Expired (UTC)", "Account", "Quantity", "Entry price", "Orders");
                foreach (var instrument in instruments)
                {
                    var holders = JsonText.Items(instrument, "holders").ToArray();
                    if (holders.Length == 0)
                    {
                        Tables.Row(table, JsonText.Of(instrument, "symbol"), JsonText.Time(instrument, "expiry"), "(all settled)", "", "", "");
                    }

                    foreach (var holder in holders)
                    {
                        Tables.Row(table, JsonText.Of(instrument, "symbol"), JsonText.Time(instrument, "expiry"), JsonText.Of(holder, "accountId"),
                            JsonText.Of(holder, "quantity"), JsonText.Price(holder, "entryPrice"), JsonText.Of(holder, "openOrders"));
                    }
                }

                console.Write(table);
                ClusterCoverage.Render(body, console, "Awaiting");
            }, exitOf: body => ClusterCoverage.ExitOf(body, s.Error))));
        var command = new Command("expiry", "Dated futures and options after their expiry.");
        command.Subcommands.Add(unsettled);
        return command;
    }
}
