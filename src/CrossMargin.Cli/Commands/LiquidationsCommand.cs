using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm liquidations list|show ID|unbalanced|rebook ID ROUND COUNTERPARTY [--settlement-price P] [--confirm-unverified]</c>.</summary>
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
        command.Subcommands.Add(Unbalanced(access, output, error));
        command.Subcommands.Add(Rebook(access, output, error));
        return command;
    }

    private static Command Unbalanced(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = new Command("unbalanced",
            "Auto-deleverage fills whose counterparty's side stands without the bankrupt side (its reversal refused): the pair does not net until rebooked.");
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/adl-unbalanced", (body, console) =>
            {
                var table = Tables.Create("Liquidation", "Round", "Bankrupt", "Counterparty", "Stands", "Refused", "Since (UTC)", "Rebookings", "Status", "Booked (UTC)");
                foreach (var f in JsonText.Items(body, "fills"))
                {
                    var settled = JsonText.Of(f, "settlementPrice") is { Length: > 0 } price ? $" (settled at {price})" : "";
                    // The bankrupt side may be booked after all (refused as an id already applied): said where the operator looks before rebooking.
                    var unverified = JsonText.Of(f, "unverified") == "yes" && JsonText.Of(f, "status") != "booked"
                        ? " (unverified: the bankrupt side may be booked; check before --confirm-unverified)"
                        : "";
                    Tables.Row(table, JsonText.Of(f, "liquidationId"), JsonText.Of(f, "round"), JsonText.Of(f, "bankruptAccountId"), JsonText.Of(f, "counterpartyId"),
                        $"{JsonText.Of(f, "side")} {JsonText.Of(f, "quantity")} {JsonText.Of(f, "symbol")} at {JsonText.Of(f, "price")}",
                        $"{JsonText.Of(f, "code")}: {JsonText.Of(f, "reason")}", JsonText.Time(f, "since"), JsonText.Of(f, "attempts"),
                        JsonText.Of(f, "status") + settled + unverified, JsonText.Time(f, "bookedAt"));
                }

                console.Write(table);
                Tables.Line(console, $"{JsonText.Of(body, "open")} not booked");
            })));
        return command;
    }

    private static Command Rebook(NodeAccess access, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("ID") { Description = "The liquidation id." };
        var round = new Argument<int>("ROUND") { Description = "Its auto-deleverage round." };
        var counterparty = new Argument<string>("COUNTERPARTY") { Description = "The counterparty whose side stands." };
        var settlement = new Option<decimal?>("--settlement-price")
        {
            Description = "The venue's settlement price of the expired instrument the counterparty was settled for (exactly: its refusal of the reversal names it): "
                + "the reversal is booked traded and settled at once.",
        };
        var confirm = new Option<bool>("--confirm-unverified")
        {
            Description = "Confirm what the cluster cannot check: that the bankrupt side of an unverified fill (refused as an id already applied) is not booked, "
                + "and that --settlement-price is the venue's where the counterparty was settled before settlement prices were kept. Without it both are refused.",
        };
        var command = new Command("rebook",
            "Book again the reversal of an unbalanced auto-deleverage fill (admin token), once what refused it is put right, or in its settled form "
            + "(--settlement-price) for an expired instrument. Exit code 1 when refused: no such unbalanced fill, booked already, a rebooking awaits its answer, "
            + "or an unverified fill without --confirm-unverified.")
        {
            id, round, counterparty, settlement, confirm,
        };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
        {
            var body = new System.Text.Json.Nodes.JsonObject
            {
                ["liquidationId"] = result.GetValue(id), ["round"] = result.GetValue(round), ["counterpartyId"] = result.GetValue(counterparty),
            };
            if (result.GetValue(settlement) is { } price)
            {
                body["settlementPrice"] = price;
            }

            if (result.GetValue(confirm))
            {
                body["confirmUnverified"] = true;
            }

            return s.CallAsync(HttpMethod.Post, "/api/v1/adl-unbalanced/rebookings", (_, console) =>
                    Tables.Line(console, $"Rebooking the reversal of {result.GetValue(counterparty)}'s side in round {result.GetValue(round)} of {result.GetValue(id)} "
                        + "(cm liquidations unbalanced shows when it is booked)"),
                body.ToJsonString());
        }));
        return command;
    }
}
