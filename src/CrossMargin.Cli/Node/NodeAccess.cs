namespace CrossMargin.Cli.Node;

/// <summary>How node commands reach a node: the HTTP handler (tests pass an in-process server's) and the environment.</summary>
public sealed class NodeAccess
{
    /// <summary>The environment variable naming the node's URL.</summary>
    public const string NodeVariable = "CROSSMARGIN_NODE";

    /// <summary>The environment variable holding the bearer token.</summary>
    public const string TokenVariable = "CROSSMARGIN_TOKEN";

    /// <summary>The node asked when neither <c>--node</c> nor <see cref="NodeVariable"/> says otherwise.</summary>
    public const string DefaultNode = "http://127.0.0.1:5080";

    /// <summary>The handler requests go through; null for a real network connection.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Reads an environment variable (tests substitute their own).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>How long one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
