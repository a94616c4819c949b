using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm rejections [--entries N]</c>: the inbound messages a node refused, newest last.</summary>
public static class RejectionsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var entries = new Option<int>("--entries") { Description = "How many of the newest refusals (at least 1).", DefaultValueFactory = _ => 50 };
        var command = new Command("rejections",
            "The inbound messages this node refused and why (each node keeps its own: those posted to it, and those from its shard queues).") { entries };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/rejections?entries={result.GetValue(entries)}", (body, console) =>
            {
                var table = Tables.Create("Time", "Path", "Type", "Message", "Account", "Code", "Reason");
                var shown = 0;
                foreach (var r in JsonText.Items(body, "rejections"))
                {
                    shown++;
                    var path = JsonText.Of(r, "path");
                    var shard = JsonText.Of(r, "shard");
                    Tables.Row(table, JsonText.Of(r, "time"), shard.Length > 0 ? $"{path} {shard}" : path, JsonText.Of(r, "type"), JsonText.Of(r, "messageId"),
                        JsonText.Of(r, "accountId"), JsonText.Of(r, "code"), JsonText.Of(r, "reason"));
                }

                console.Write(table);
                Tables.Line(console, $"{shown} shown of {JsonText.Of(body, "recorded")} refused since the node started (it keeps the newest {JsonText.Of(body, "kept")})");
            })));
        return command;
    }
}
