using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossMargin.Cli.Node;
using CrossMargin.Risk.Margin;
using Spectre.Console;

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
            s.CallAsync(HttpMethod.Get, $"/api/v1/accounts/{JsonText.Segment(result.GetValue(id)!)}/margin", Write)));
        return command;
    }

    /// <summary>The node's assessment (an <c>AccountMargin</c> as JSON) as tables, and its requirement as <c>cm margin calc</c> explains one.</summary>
    private static void Write(JsonElement body, IAnsiConsole console)
    {
        Tables.Line(console, $"Account {JsonText.Of(body, "accountId")} at {JsonText.Time(body, "valuationTime")} UTC, model {JsonText.Of(body, "model")}");
        var figures = Tables.Create("Figure", "USD");
        foreach (var (label, field) in new[]
                 {
                     ("Status", "status"), ("Equity", "equityUsd"), ("Collateral value", "collateralValueUsd"), ("Unrealised P&L", "unrealisedPnlUsd"),
                     ("Option value", "optionValueUsd"), ("Initial margin", "initialMarginUsd"), ("Maintenance margin", "maintenanceMarginUsd"),
                     ("Available margin", "availableMarginUsd"),
                 })
        {
            Tables.Row(figures, label, JsonText.Of(body, field, money: field.EndsWith("Usd", StringComparison.Ordinal)));
        }

        Tables.Row(figures, "Margin ratio (MM/equity)", JsonText.Percent(body, "marginRatio"));
        console.Write(figures);
        var collateral = Tables.Create("Asset", "Amount", "Price USD", "Value USD", "Haircut USD", "Counted USD");
        foreach (var line in JsonText.Items(body, "collateral"))
        {
            Tables.Row(collateral, JsonText.Of(line, "asset"), JsonText.Of(line, "amount"), JsonText.Of(line, "priceUsd"), JsonText.Of(line, "marketValueUsd", true),
                JsonText.Of(line, "haircutUsd", true),
                JsonText.Of(line, "collateralValueUsd", true) + (JsonText.Of(line, "eligible") == "no" ? " (not eligible)" : ""));
        }

        console.Write(collateral);
        var positions = Tables.Create("Symbol", "Quantity", "Entry price", "Mark", "Notional USD", "Value USD", "Isolated");
        foreach (var line in JsonText.Items(body, "positions"))
        {
            var position = line.TryGetProperty("position", out var p) ? p : default;
            Tables.Row(positions, JsonText.Of(position, "symbol"), JsonText.Of(position, "quantity"), JsonText.Price(position, "entryPrice"), JsonText.Of(line, "markPrice"),
                JsonText.Of(line, "notionalUsd", true), JsonText.Of(line, "valueUsd", true), JsonText.Of(position, "isIsolated"));
        }

        console.Write(positions);
        if (body.TryGetProperty("requirement", out var requirement))
        {
            Tables.Line(console, "Requirement");
            Tables.Line(console, RequirementText(requirement));
        }

        var isolated = JsonText.Items(body, "isolated").ToList();
        if (isolated.Count > 0)
        {
            var table = Tables.Create("Isolated", "Equity USD", "Initial margin USD", "Maintenance margin USD", "Status", "Liquidation price");
            foreach (var i in isolated)
            {
                Tables.Row(table, JsonText.Of(i, "symbol"), JsonText.Of(i, "equityUsd", true), JsonText.Of(i, "initialMarginUsd", true),
                    JsonText.Of(i, "maintenanceMarginUsd", true), JsonText.Of(i, "status"), JsonText.Of(i, "liquidationPrice"));
            }

            console.Write(table);
        }
    }

    /// <summary>
    /// The requirement explained line by line as the offline calculator does; the node's JSON as it came, indented,
    /// when this version cannot read it (a newer node's explanation), so nothing is hidden.
    /// </summary>
    public static string RequirementText(JsonElement requirement)
    {
        MarginRequirement? read;
        try
        {
            read = requirement.Deserialize<MarginRequirement>(NodeJson);
        }
        catch (JsonException)
        {
            read = null;
        }
        catch (NotSupportedException)
        {
            read = null;
        }

        if (read is null)
        {
            return JsonSerializer.Serialize(requirement, Indented);
        }

        var text = new StringBuilder();
        MarginReportText.WriteRequirement(text, read, "  ");
        return text.ToString().TrimEnd();
    }

    // How the node writes its answers: web defaults (camel case) with enums as camel-case strings.
    private static readonly JsonSerializerOptions NodeJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
