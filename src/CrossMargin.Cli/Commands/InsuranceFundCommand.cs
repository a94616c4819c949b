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
        var show = new Command("show", $"The insurance fund: balances, USD value and its last {Movements} movements.");
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
                var history = Tables.Create("Movement");
                foreach (var movement in JsonText.Items(body, "history").TakeLast(Movements))
                {
                    Tables.Row(history, movement.GetRawText());
                }

                console.Write(history);
            })));
        var command = new Command("insurance-fund", "The insurance fund that covers liquidation deficits.");
        command.Subcommands.Add(show);
        return command;
    }
}
