using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace CrossMargin.Cli.Node;

/// <summary>
/// One node command's run: the client to the node chosen by <c>--node</c>/<see cref="NodeAccess.NodeVariable"/>, the
/// token, the output, and the mapping of every failure to one line on standard error and an <see cref="ExitCodes"/> value.
/// </summary>
public sealed class NodeSession : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly HttpClient _http;

    private NodeSession(HttpClient http, Uri node, bool json, TextWriter output, TextWriter error)
    {
        _http = http;
        NodeUri = node;
        Json = json;
        Output = output;
        Error = error;
    }

    /// <summary>The node asked.</summary>
    public Uri NodeUri { get; }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>The session for <paramref name="result"/>; null (after one line on <paramref name="error"/>) when the node URL is not usable.</summary>
    public static NodeSession? Open(ParseResult result, NodeCommandOptions options, NodeAccess access, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(access);
        var given = result.GetValue(options.Node) ?? access.Environment(NodeAccess.NodeVariable) ?? NodeAccess.DefaultNode;
        if (!Uri.TryCreate(given, UriKind.Absolute, out var node) || node.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"error: --node must be an http(s) URL such as {NodeAccess.DefaultNode}, not '{given}'.");
            return null;
        }

#pragma warning disable CA2000 // The client owns the handler unless the caller supplied it.
        var http = access.Handler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
#pragma warning restore CA2000
        http.BaseAddress = node;
        http.Timeout = access.Timeout;
        var token = result.GetValue(options.Token) ?? access.Environment(NodeAccess.TokenVariable);
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new NodeSession(http, node, result.GetValue(options.Json), output, error);
    }

    /// <summary>Runs a node command: opens the session, runs <paramref name="run"/>, and maps an unreachable node to exit code 3.</summary>
    public static async Task<int> RunAsync(ParseResult result, NodeCommandOptions options, NodeAccess access, TextWriter output, TextWriter error,
        Func<NodeSession, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var session = Open(result, options, access, output, error);
        if (session is null)
        {
            return ExitCodes.Usage;
        }

        try
        {
            return await run(session);
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"error: node {session.NodeUri} is unreachable: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (TaskCanceledException)
        {
            error.WriteLine($"error: node {session.NodeUri} did not answer in time.");
            return ExitCodes.Unavailable;
        }
    }

    /// <summary>Sends a request and returns the reply (any status).</summary>
    public async Task<NodeReply> SendAsync(HttpMethod method, string path, string? jsonBody = null, CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        JsonElement? body = null;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page): the status speaks for it.
        }

        return new NodeReply((int)response.StatusCode, body);
    }

    /// <summary>Opens a streaming GET (server-sent events).</summary>
    public Task<HttpResponseMessage> StreamAsync(string path, CancellationToken cancellation) =>
        _http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellation);

    /// <summary>
    /// Sends a request; on success writes the JSON (with <c>--json</c>) or calls <paramref name="render"/>, and returns
    /// 0 (or what <paramref name="exitOf"/> makes of the answer, e.g. <see cref="ExitCodes.Partial"/>); on failure writes one
    /// line on standard error and returns the exit code the status means.
    /// </summary>
    public async Task<int> CallAsync(HttpMethod method, string path, Action<JsonElement, IAnsiConsole> render, string? jsonBody = null,
        Func<JsonElement, int>? exitOf = null)
    {
        ArgumentNullException.ThrowIfNull(render);
        var reply = await SendAsync(method, path, jsonBody);
        if (reply.Status is < 200 or > 299)
        {
            return Fail(reply);
        }

        var body = reply.Body ?? default;
        if (Json)
        {
            Output.WriteLine(reply.Body is { } b ? JsonSerializer.Serialize(b, Indented) : "null");
        }
        else
        {
            render(body, Console());
        }

        return exitOf?.Invoke(body) ?? ExitCodes.Ok;
    }

    /// <summary>Writes why <paramref name="reply"/> failed and returns its exit code.</summary>
    public int Fail(NodeReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var (code, what) = reply.Status switch
        {
            401 or 403 => (ExitCodes.Unavailable, "refused by the node"),
            404 => (ExitCodes.Negative, "not found"),
            409 => (ExitCodes.Negative, "refused"),
            400 or 413 or 422 => (ExitCodes.Usage, "invalid"),
            _ => (ExitCodes.Unavailable, "node error"),
        };
        Error.WriteLine($"error: {what} ({reply.Status}): {reply.Reason}");
        if (Json && reply.Body is { } body)
        {
            Output.WriteLine(JsonSerializer.Serialize(body, Indented));
        }

        return code;
    }

    /// <summary>A Spectre console writing plain text to standard output.</summary>
    public IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(Output),
        });
        console.Profile.Width = 160;
        return console;
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
