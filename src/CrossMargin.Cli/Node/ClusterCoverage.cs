using System.Text.Json;
using Spectre.Console;

namespace CrossMargin.Cli.Node;

/// <summary>
/// Which nodes a cluster-wide answer (stress run, parameter dry-run) covers: a table of each node's part, and a partial
/// answer turned into a warning on standard error and <see cref="ExitCodes.Partial"/>, so a script never takes part of
/// the cluster for all of it.
/// </summary>
public static class ClusterCoverage
{
    /// <summary>Writes the scope line and the per-node table of <paramref name="body"/>.</summary>
    public static void Render(JsonElement body, IAnsiConsole console, string flagged)
    {
        ArgumentNullException.ThrowIfNull(console);
        var partial = IsPartial(body);
        Tables.Line(console, $"Scope: {JsonText.Of(body, "scope")}{(partial ? " (PARTIAL)" : "")}");
        var table = Tables.Create("Node", "Answered", "Accounts", flagged, "Problem");
        foreach (var node in JsonText.Items(body, "nodes"))
        {
            Tables.Row(table, JsonText.Of(node, "node"), JsonText.Of(node, "answered"), JsonText.Of(node, "accountsEvaluated"), JsonText.Of(node, "accountsFlagged"),
                JsonText.Of(node, "problem"));
        }

        console.Write(table);
    }

    /// <summary>The exit code of an answer: <see cref="ExitCodes.Partial"/> (after a warning on <paramref name="error"/>) when partial.</summary>
    public static int ExitOf(JsonElement body, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!IsPartial(body))
        {
            return ExitCodes.Ok;
        }

        var missing = JsonText.Items(body, "nodes").Where(n => n.TryGetProperty("answered", out var a) && a.ValueKind == JsonValueKind.False)
            .Select(n => $"{JsonText.Of(n, "node")} ({JsonText.Of(n, "problem")})").ToArray();
        var unserved = JsonText.Items(body, "unservedShards").Select(s => s.ToString()).ToArray();
        error.WriteLine("warning: partial answer: " + string.Join("; ",
            (missing.Length > 0 ? [$"no answer from {string.Join(", ", missing)}"] : Array.Empty<string>())
            .Concat(unserved.Length > 0 ? [$"shards without an owner: {string.Join(", ", unserved)}"] : [])));
        return ExitCodes.Partial;
    }

    private static bool IsPartial(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("partial", out var partial) && partial.ValueKind == JsonValueKind.True;
}
