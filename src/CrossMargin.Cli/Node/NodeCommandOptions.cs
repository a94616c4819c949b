using System.CommandLine;

namespace CrossMargin.Cli.Node;

/// <summary>The options every node command takes: <c>--node</c>, <c>--token</c>, <c>--json</c>.</summary>
public sealed class NodeCommandOptions
{
    private NodeCommandOptions()
    {
    }

    /// <summary>The node's URL.</summary>
    public Option<string?> Node { get; } = new("--node") { Description = $"Node URL (default ${NodeAccess.NodeVariable}, else {NodeAccess.DefaultNode})." };

    /// <summary>The bearer token.</summary>
    public Option<string?> Token { get; } = new("--token") { Description = $"Bearer token for admin calls (default ${NodeAccess.TokenVariable})." };

    /// <summary>Whether to write JSON.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Write the node's JSON answer instead of a table." };

    /// <summary>New options, added to <paramref name="command"/>.</summary>
    public static NodeCommandOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new NodeCommandOptions();
        command.Options.Add(options.Node);
        command.Options.Add(options.Token);
        command.Options.Add(options.Json);
        return options;
    }
}
