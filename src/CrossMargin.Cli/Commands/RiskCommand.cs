using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm risk params show|set FILE [--dry-run]</c>.</summary>
public static class RiskCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var show = new Command("show", "The risk parameter files in force: slot, version (SHA-256 prefix), model, description, file.");
        var showOptions = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, showOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/risk/params", (body, console) =>
            {
                var table = Tables.Create("Slot", "Version", "Model", "Loaded", "File", "Description");
                foreach (var set in JsonText.Items(body, "sets"))
                {
                    var description = JsonText.Of(set, "description");
                    Tables.Row(table, JsonText.Of(set, "slot"), JsonText.Of(set, "version"), JsonText.Of(set, "model"), JsonText.Of(set, "loadedAt"),
                        JsonText.Of(set, "file"), description.Length > 60 ? description[..60] + "..." : description);
                }

                console.Write(table);
            })));
        var file = new Argument<FileInfo>("FILE") { Description = "A risk parameter file (the format of config/risk/*.json)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate the file and show how many live accounts would change margin status; change nothing." };
        var set = new Command("set",
            "Validate a risk parameter file on the node (admin token). With --dry-run, report how many live accounts of its slot would change margin status, over the whole cluster on a cluster node. " +
            "Without it the node answers that parameters cannot be swapped while running (exit code 1).")
        {
            file, dryRun,
        };
        var setOptions = NodeCommandOptions.AddTo(set);
        set.SetAction((result, _) => NodeSession.RunAsync(result, setOptions, access, output, error, async s =>
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

            var query = result.GetValue(dryRun) ? "?dryRun=true" : "";
            return await s.CallAsync(HttpMethod.Post, "/api/v1/risk/params" + query, (body, console) =>
            {
                Tables.Line(console, $"Parameters {JsonText.Of(body, "version")} (slot {JsonText.Of(body, "slot")}, in force {JsonText.Of(body, "activeVersion")}): " +
                                     $"{JsonText.Of(body, "accountsChangingStatus")} of {JsonText.Of(body, "accountsEvaluated")} live accounts would change status; not applied");
                var table = Tables.Create("Account", "From", "To", "MM before", "MM after");
                foreach (var change in JsonText.Items(body, "changes"))
                {
                    Tables.Row(table, JsonText.Of(change, "accountId"), JsonText.Of(change, "from"), JsonText.Of(change, "to"),
                        JsonText.Of(change, "maintenanceMarginBeforeUsd", true), JsonText.Of(change, "maintenanceMarginAfterUsd", true));
                }

                console.Write(table);
                ClusterCoverage.Render(body, console, "Changing");
            }, text, body => ClusterCoverage.ExitOf(body, s.Error));
        }));
        var parameters = new Command("params", "Versioned, validated, audited risk parameter sets.");
        parameters.Subcommands.Add(show);
        parameters.Subcommands.Add(set);
        var command = new Command("risk", "Risk controls.");
        command.Subcommands.Add(parameters);
        return command;
    }
}
