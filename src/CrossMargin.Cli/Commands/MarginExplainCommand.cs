using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// <c>cm margin explain ID</c>: a live account's margin with its explanation, from the node (<see cref="CreateExplain"/>,
/// under <see cref="MarginCommand"/>). <see cref="Create"/> builds the same command as <c>margin-explain</c> at the root,
/// the spelling before <c>margin</c> had subcommands, hidden from help.
/// </summary>
public static class MarginExplainCommand
{
    /// <summary>The command as <c>margin-explain</c>, registered at the root and hidden (the old spelling of <c>margin explain</c>).</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = Build("margin-explain", access, output, error);
        command.Hidden = true;
        return command;
    }

    /// <summary>The command as <c>explain</c>, for <c>margin</c>'s subcommands.</summary>
    public static Command CreateExplain(NodeAccess access, TextWriter output, TextWriter error) => Build("explain", access, output, error);

    private static Command Build(string name, NodeAccess access, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("ID") { Description = "The account id." };
        var command = new Command(name, "A live account's equity, requirements and how each came about (the engine's own assessment). Exit code 1 when it is not open.")
        {
            id,
        };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/accounts/{JsonText.Segment(result.GetValue(id)!)}/margin", (body, console) =>
            {
                Tables.Line(console, $"Account {JsonText.Of(body, "accountId")} at {JsonText.Of(body, "valuationTime")}, model {JsonText.Of(body, "model")}");
                var figures = Tables.Create("Figure", "USD");
                foreach (var (label, field) in new[]
                         {
                             ("Status", "status"), ("Equity", "equityUsd"), ("Collateral value", "collateralValueUsd"), ("Unrealised P&L", "unrealisedPnlUsd"),
                             ("Option value", "optionValueUsd"), ("Initial margin", "initialMarginUsd"), ("Maintenance margin", "maintenanceMarginUsd"),
                             ("Available margin", "availableMarginUsd"), ("Margin ratio (MM/equity)", "marginRatio"),
                         })
                {
                    Tables.Row(figures, label, JsonText.Of(body, field, money: field.EndsWith("Usd", StringComparison.Ordinal)));
                }

                console.Write(figures);
                var collateral = Tables.Create("Asset", "Amount", "Price", "Value", "Haircut", "Counted");
                foreach (var line in JsonText.Items(body, "collateral"))
                {
                    Tables.Row(collateral, JsonText.Of(line, "asset"), JsonText.Of(line, "amount"), JsonText.Of(line, "price"), JsonText.Of(line, "valueUsd", true),
                        JsonText.Of(line, "haircutUsd", true), JsonText.Of(line, "collateralValueUsd", true));
                }

                console.Write(collateral);
                if (body.TryGetProperty("requirement", out var requirement))
                {
                    Tables.Line(console, "Requirement: " + requirement.GetRawText());
                }
            })));
        return command;
    }
}
