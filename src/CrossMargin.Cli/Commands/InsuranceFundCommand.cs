using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// <c>cm insurance-fund show</c>, <c>deposit ASSET AMOUNT</c> and <c>cover ACCOUNT</c> (the fund pays a deficit a liquidation
/// left uncovered; admin token).
/// </summary>
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
                Tables.Line(console, $"Insurance fund: {JsonText.Of(body, "valueUsd", true)} USD at {JsonText.Time(body, "valuationTime")} UTC");
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
                Uncovered(body, console);
            })));
        var command = new Command("insurance-fund", "The insurance fund that covers liquidation deficits.");
        command.Subcommands.Add(show);
        command.Subcommands.Add(Deposit(access, output, error));
        command.Subcommands.Add(Cover(access, output, error));
        return command;
    }

    // The deficits completed liquidations left uncovered: the exchange's exposure, which an operator covers with `cover`.
    private static void Uncovered(System.Text.Json.JsonElement body, Spectre.Console.IAnsiConsole console)
    {
        if (!body.TryGetProperty("uncovered", out var uncovered) || uncovered.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return;
        }

        Tables.Line(console, $"Uncovered deficits: {JsonText.Of(uncovered, "totalUsd", money: true)} USD");
        var table = Tables.Create("Account", "USD", "Left by", "Time (UTC)");
        foreach (var deficit in JsonText.Items(uncovered, "accounts"))
        {
            Tables.Row(table, JsonText.Of(deficit, "accountId"), JsonText.Of(deficit, "uncoveredUsd", money: true), JsonText.Of(deficit, "liquidationId"),
                JsonText.Time(deficit, "time"));
        }

        console.Write(table);
    }

    private static Command Deposit(NodeAccess access, TextWriter output, TextWriter error)
    {
        var asset = new Argument<string>("ASSET") { Description = "An asset the market prices, e.g. USDT." };
        var amount = new Argument<decimal>("AMOUNT") { Description = "Units, positive." };
        var requestId = new Option<string>("--request-id") { Description = "Unique id: the same id again changes nothing.", Required = true };
        var command = new Command("deposit", "Top the fund up with AMOUNT of ASSET (admin token).") { asset, amount, requestId };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Post, "/api/v1/insurance-fund/deposits", (body, console) =>
                    Tables.Line(console, $"Deposited {JsonText.Of(body, "amount")} {JsonText.Of(body, "asset")} (request {JsonText.Of(body, "requestId")})"),
                new System.Text.Json.Nodes.JsonObject
                {
                    ["requestId"] = result.GetValue(requestId), ["asset"] = result.GetValue(asset), ["amount"] = result.GetValue(amount),
                }.ToJsonString())));
        return command;
    }

    private static Command Cover(NodeAccess access, TextWriter output, TextWriter error)
    {
        var account = new Argument<string>("ACCOUNT") { Description = "The account whose liquidation left a deficit uncovered." };
        var requestId = new Option<string>("--request-id") { Description = "Unique id: the same id again starts nothing more.", Required = true };
        var command = new Command("cover", "Have the fund pay the deficit ACCOUNT's liquidation left uncovered (admin token). Exit code 1 when refused: nothing uncovered, "
            + "the account being liquidated, or the fund short.") { account, requestId };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Post, "/api/v1/insurance-fund/uncovered-covers", (body, console) =>
                    Tables.Line(console, $"Covering {JsonText.Of(body, "uncoveredUsd", money: true)} USD of {JsonText.Of(body, "accountId")} in {JsonText.Of(body, "liquidationId")} "
                        + "(cm liquidations show it for what the fund paid)"),
                new System.Text.Json.Nodes.JsonObject { ["requestId"] = result.GetValue(requestId), ["accountId"] = result.GetValue(account) }.ToJsonString())));
        return command;
    }

    // The node's camel-case names of InsuranceFundMovementKind, in words; an unknown kind is shown as it came.
    private static string Kind(string kind) => kind switch
    {
        "deposited" => "deposit",
        "feeCollected" => "fee in",
        "deficitCovered" => "cover out",
        "autoDeleverageTriggered" => "uncovered: auto-deleverage",
        "shortfallSettled" => "shortfall settled",
        _ => kind,
    };
}
