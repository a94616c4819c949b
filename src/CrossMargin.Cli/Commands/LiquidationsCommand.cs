using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm liquidations list|show ID</c>.</summary>
public static class LiquidationsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var list = new Command("list", "Every liquidation, active and finished.");
        var listOptions = NodeCommandOptions.AddTo(list);
        list.SetAction((result, _) => NodeSession.RunAsync(result, listOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/liquidations", (body, console) =>
            {
                var table = Tables.Create("Liquidation", "Account", "Status", "Started (UTC)", "Steps");
                var count = 0;
                foreach (var l in JsonText.Items(body, "liquidations"))
                {
                    count++;
                    Tables.Row(table, JsonText.Of(l, "liquidationId"), JsonText.Of(l, "accountId"), JsonText.Of(l, "status"), JsonText.Time(l, "startedAt"),
                        JsonText.Of(l, "steps"));
                }

                console.Write(table);
                Tables.Line(console, $"{count} liquidations");
            })));
        var id = new Argument<string>("ID") { Description = "The liquidation id." };
        var show = new Command("show", "One liquidation and each of its steps (--json: the steps as the node recorded them). Exit code 1 when there is no such liquidation.") { id };
        var showOptions = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, showOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/liquidations/{JsonText.Segment(result.GetValue(id)!)}", (body, console) =>
            {
                Tables.Line(console, $"Liquidation {JsonText.Of(body, "liquidationId")} of {JsonText.Of(body, "accountId")}: {JsonText.Of(body, "status")}");
                var table = Tables.Create("#", "Time (UTC)", "Step");
                var n = 0;
                foreach (var step in JsonText.Items(body, "steps"))
                {
                    Tables.Row(table, (++n).ToString(System.Globalization.CultureInfo.InvariantCulture), LiquidationStepText.Time(step), LiquidationStepText.Describe(step));
                }

                console.Write(table);
            })));
        var command = new Command("liquidations", "Forced liquidations: their status and steps.");
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        return command;
    }
}
