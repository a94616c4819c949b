using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm insurance-fund show</c>.</summary>
public static class InsuranceFundCommand
{
    private const int Movements = 20;

    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var show = new Command("show", $"The insurance fund: balances, USD value, its own account's balances and positions, and its last {Movements} movements.");
        var options = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/insurance-fund", (body, console) =>
            {
                Tables.Line(console, $"Insurance fund: {JsonText.Of(body, "valueUsd", true)} USD at {JsonText.Of(body, "valuationTime")}");
                var balances = Tables.Create("Asset", "Balance");
                if (body.TryGetProperty("balances", out var b) && b.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    foreach (var asset in b.EnumerateObject())
                    {
                        Tables.Row(balances, asset.Name, asset.Value.GetRawText());
                    }
                }

                console.Write(balances);
                if (body.TryGetProperty("account", out var account) && account.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    // The fund's own account: the positions it took over and is unwinding, and the collateral covers put there.
                    Tables.Line(console, $"Fund account {JsonText.Of(account, "accountId")}");
                    var held = Tables.Create("Asset or symbol", "Balance or quantity", "Entry price");
                    foreach (var balance in JsonText.Items(account, "balances"))
                    {
                        Tables.Row(held, JsonText.Of(balance, "asset"), JsonText.Of(balance, "amount"), "");
                    }

                    foreach (var position in JsonText.Items(account, "positions"))
                    {
                        Tables.Row(held, JsonText.Of(position, "symbol"), JsonText.Of(position, "quantity"), JsonText.Price(position, "entryPrice"));
                    }

                    console.Write(held);
                }

                var history = Tables.Create("Time (UTC)", "Movement", "Asset", "Amount", "USD", "Account", "Liquidation");
                foreach (var movement in JsonText.Items(body, "history").TakeLast(Movements))
                {
                    Tables.Row(history, JsonText.Time(movement, "time"), Kind(JsonText.Of(movement, "kind")), JsonText.Of(movement, "asset"),
                        JsonText.Of(movement, "amount"), JsonText.Of(movement, "amountUsd", money: true), JsonText.Of(movement, "accountId"),
                        JsonText.Of(movement, "liquidationId"));
                }

                console.Write(history);
            })));
        var command = new Command("insurance-fund", "The insurance fund that covers liquidation deficits.");
        command.Subcommands.Add(show);
        return command;
    }

    // The node's camel-case names of InsuranceFundMovementKind, in words; an unknown kind is shown as it came.
    private static string Kind(string kind) => kind switch
    {
        "deposited" => "deposit",
        "feeCollected" => "fee in",
        "deficitCovered" => "cover out",
        "autoDeleverageTriggered" => "uncovered: auto-deleverage",
        _ => kind,
    };
}
