using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm account show ID</c>.</summary>
public static class AccountCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("ID") { Description = "The account id." };
        var show = new Command("show", "An account's margin figures, balances, positions and open orders. Exit code 1 when it is not open.") { id };
        var options = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/accounts/{JsonText.Segment(result.GetValue(id)!)}", (body, console) =>
            {
                var summary = Tables.Create("Account", "Mode", "Status", "Equity", "Initial margin", "Maintenance margin", "Available", "Margin ratio");
                var margin = body.TryGetProperty("margin", out var m) ? m : default;
                Tables.Row(summary, JsonText.Of(body, "accountId"), JsonText.Of(body, "mode"), JsonText.Of(margin, "status"), JsonText.Of(margin, "equityUsd", true),
                    JsonText.Of(margin, "initialMarginUsd", true), JsonText.Of(margin, "maintenanceMarginUsd", true), JsonText.Of(margin, "availableMarginUsd", true),
                    JsonText.Percent(margin, "marginRatio"));
                console.Write(summary);
                var balances = Tables.Create("Asset", "Amount");
                foreach (var balance in JsonText.Items(body, "balances"))
                {
                    Tables.Row(balances, JsonText.Of(balance, "asset"), JsonText.Of(balance, "amount"));
                }

                console.Write(balances);
                var positions = Tables.Create("Symbol", "Quantity", "Entry price", "Isolated margin");
                foreach (var position in JsonText.Items(body, "positions"))
                {
                    Tables.Row(positions, JsonText.Of(position, "symbol"), JsonText.Of(position, "quantity"), JsonText.Price(position, "entryPrice"),
                        JsonText.Of(position, "isolatedMargin"));
                }

                console.Write(positions);
                Tables.Line(console, $"{JsonText.Items(body, "openOrders").Count()} open orders");
            })));
        var command = new Command("account", "Accounts held by the node.");
        command.Subcommands.Add(show);
        return command;
    }
}
