using System.CommandLine;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm log peek [--lines N]</c>.</summary>
public static class LogCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var lines = new Option<int>("--lines") { Description = "How many of the newest lines (1-2000).", DefaultValueFactory = _ => 50 };
        var peek = new Command("peek", "The node's most recent log lines.") { lines };
        var options = NodeCommandOptions.AddTo(peek);
        peek.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/logs?lines={result.GetValue(lines)}", (body, console) =>
            {
                foreach (var line in JsonText.Items(body, "lines"))
                {
                    var exception = JsonText.Of(line, "exception");
                    Tables.Line(console, $"{JsonText.Of(line, "time")} [{JsonText.Of(line, "level")}] {JsonText.Of(line, "source")}: {JsonText.Of(line, "message")}" +
                                         (exception.Length > 0 ? " | " + exception : ""));
                }
            })));
        var command = new Command("log", "The node's log.");
        command.Subcommands.Add(peek);
        return command;
    }
}
