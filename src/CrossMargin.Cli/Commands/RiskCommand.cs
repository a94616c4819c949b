using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CrossMargin.Cli.Node;
using Spectre.Console;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm risk params show|set FILE|history</c>.</summary>
public static class RiskCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var parameters = new Command("params", "Versioned, validated, audited risk parameter sets.");
        parameters.Subcommands.Add(Show(access, output, error));
        parameters.Subcommands.Add(Set(access, output, error));
        parameters.Subcommands.Add(History(access, output, error));
        var command = new Command("risk", "Risk controls.");
        command.Subcommands.Add(parameters);
        return command;
    }

    private static Command Show(NodeAccess access, TextWriter output, TextWriter error)
    {
        var show = new Command("show",
            "The risk parameter set in force per slot: version (SHA-256 prefix), source (the configured file, or stored version N with who applied it and when), " +
            "model, description. On a cluster node every member's versions, so an apply can be seen converging (exit code 4 when a member did not answer).");
        var options = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/risk/params", RenderShow, exitOf: body => ShowExit(body, s.Error))));
        return show;
    }

    private static Command Set(NodeAccess access, TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A risk parameter file (the format of config/risk/*.json)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate the file and show how many live accounts would change margin status; change nothing." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept with the version in the history and the audit log; at most 500 characters)." };
        var allow = new Option<bool>("--allow-liquidations")
        {
            Description = "Apply even when accounts would move into liquidation or bankruptcy, or when not every account could be checked (refused otherwise).",
        };
        var slot = new Option<string?>("--slot") { Description = "The slot to replace (standard, portfolio, simm, var, es, composite); default: the file's own model." };
        var expected = new Option<long?>("--expected-version")
        {
            Description = "The stored version you decided against (0: none); refused if another apply stored a newer one. Default: the version in force on the node.",
        };
        var set = new Command("set",
            "Validate a risk parameter file on the node (admin token) and apply it: stored as the slot's next version and put in force on every node without a restart. " +
            "Refused (exit code 1) when it would move accounts into liquidation or bankruptcy without --allow-liquidations, or when another apply got there first. " +
            "With --dry-run, only report which live accounts would change margin status, over the whole cluster on a cluster node.")
        {
            file, dryRun, reason, allow, slot, expected,
        };
        var options = NodeCommandOptions.AddTo(set);
        set.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, async s =>
        {
            var path = result.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                s.Error.WriteLine($"error: {path.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }

            var query = new List<string>();
            if (result.GetValue(dryRun))
            {
                query.Add("dryRun=true");
            }

            if (result.GetValue(reason) is { Length: > 0 } why)
            {
                query.Add("reason=" + Uri.EscapeDataString(why));
            }

            if (result.GetValue(allow))
            {
                query.Add("allowLiquidations=true");
            }

            if (result.GetValue(slot) is { Length: > 0 } target)
            {
                query.Add("slot=" + Uri.EscapeDataString(target));
            }

            if (result.GetValue(expected) is { } version)
            {
                query.Add("expectedVersion=" + version.ToString(CultureInfo.InvariantCulture));
            }

            return await s.CallAsync(HttpMethod.Post, "/api/v1/risk/params" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), RenderSet, text,
                body => ClusterCoverage.ExitOf(body, s.Error));
        }));
        return set;
    }

    private static Command History(NodeAccess access, TextWriter output, TextWriter error)
    {
        var slot = new Option<string?>("--slot") { Description = "Only this slot's versions." };
        var limit = new Option<int>("--limit") { Description = "How many of the newest versions (1-1000).", DefaultValueFactory = _ => 50 };
        var history = new Command("history", "Every stored parameter version, newest first: slot, version, hash, model, who applied it, when and why.")
        {
            slot, limit,
        };
        var options = NodeCommandOptions.AddTo(history);
        history.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
        {
            var query = "?limit=" + result.GetValue(limit).ToString(CultureInfo.InvariantCulture) +
                        (result.GetValue(slot) is { Length: > 0 } target ? "&slot=" + Uri.EscapeDataString(target) : "");
            return s.CallAsync(HttpMethod.Get, "/api/v1/risk/params/history" + query, (body, console) =>
            {
                var table = Tables.Create("Slot", "Version", "Hash", "Model", "Applied by", "Applied at", "Reason");
                foreach (var version in JsonText.Items(body, "versions"))
                {
                    Tables.Row(table, JsonText.Of(version, "slot"), JsonText.Of(version, "version"), JsonText.Of(version, "hash"), JsonText.Of(version, "model"),
                        JsonText.Of(version, "appliedBy"), JsonText.Of(version, "appliedAt"), JsonText.Of(version, "reason"));
                }

                console.Write(table);
            });
        }));
        return history;
    }

    private static void RenderShow(JsonElement body, IAnsiConsole console)
    {
        var table = Tables.Create("Slot", "Version", "Source", "Model", "Applied by", "Applied at", "Description");
        foreach (var set in JsonText.Items(body, "sets"))
        {
            var description = JsonText.Of(set, "description");
            var source = JsonText.Of(set, "source") == "stored" ? "stored v" + JsonText.Of(set, "storedVersion") : "file " + JsonText.Of(set, "file");
            Tables.Row(table, JsonText.Of(set, "slot"), JsonText.Of(set, "version"), source, JsonText.Of(set, "model"), JsonText.Of(set, "appliedBy"),
                JsonText.Of(set, "appliedAt"), description.Length > 60 ? description[..60] + "..." : description);
        }

        console.Write(table);
        if (JsonText.Of(body, "scope") != "cluster")
        {
            return;
        }

        Tables.Line(console, $"Cluster: {(JsonText.Of(body, "converged") == "yes" ? "every member runs the same versions" : "members differ or did not answer")}" +
                             (JsonText.Of(body, "partial") == "yes" ? " (PARTIAL)" : ""));
        var nodes = Tables.Create("Node", "Answered", "standard", "portfolio", "simm", "var", "es", "composite", "Problem");
        foreach (var node in JsonText.Items(body, "nodes"))
        {
            var sets = JsonText.Items(node, "sets").ToArray();
            string Cell(string slot) => sets.FirstOrDefault(x => JsonText.Of(x, "slot") == slot) is { ValueKind: JsonValueKind.Object } x
                ? JsonText.Of(x, "version") + (JsonText.Of(x, "source") == "stored" ? " v" + JsonText.Of(x, "storedVersion") : "")
                : "";
            Tables.Row(nodes, JsonText.Of(node, "node"), JsonText.Of(node, "answered"), Cell("standard"), Cell("portfolio"), Cell("simm"), Cell("var"), Cell("es"),
                Cell("composite"), JsonText.Of(node, "problem"));
        }

        console.Write(nodes);
    }

    private static int ShowExit(JsonElement body, TextWriter error)
    {
        if (JsonText.Of(body, "partial") != "yes")
        {
            return ExitCodes.Ok;
        }

        var missing = JsonText.Items(body, "nodes").Where(n => JsonText.Of(n, "answered") == "no").Select(n => $"{JsonText.Of(n, "node")} ({JsonText.Of(n, "problem")})");
        error.WriteLine("warning: partial answer: no answer from " + string.Join(", ", missing));
        return ExitCodes.Partial;
    }

    private static void RenderSet(JsonElement body, IAnsiConsole console)
    {
        var counts = $"{JsonText.Of(body, "accountsChangingStatus")} of {JsonText.Of(body, "accountsEvaluated")} live accounts";
        Tables.Line(console, JsonText.Of(body, "applied") == "yes"
            ? $"Parameters {JsonText.Of(body, "version")} applied to slot {JsonText.Of(body, "slot")} as stored version {JsonText.Of(body, "storedVersion")} " +
              $"(was {JsonText.Of(body, "activeVersion")}) by {JsonText.Of(body, "appliedBy")}: {counts} changed status, " +
              $"{JsonText.Of(body, "accountsIntoLiquidation")} into liquidation or bankruptcy"
            : $"Parameters {JsonText.Of(body, "version")} (slot {JsonText.Of(body, "slot")}, in force {JsonText.Of(body, "activeVersion")}): " +
              $"{counts} would change status, {JsonText.Of(body, "accountsIntoLiquidation")} into liquidation or bankruptcy; not applied");
        var table = Tables.Create("Account", "From", "To", "MM before", "MM after");
        foreach (var change in JsonText.Items(body, "changes"))
        {
            Tables.Row(table, JsonText.Of(change, "accountId"), JsonText.Of(change, "from"), JsonText.Of(change, "to"),
                JsonText.Of(change, "maintenanceMarginBeforeUsd", true), JsonText.Of(change, "maintenanceMarginAfterUsd", true));
        }

        console.Write(table);
        ClusterCoverage.Render(body, console, "Changing");
    }
}
