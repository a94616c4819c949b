using System.Text.Json;

namespace CrossMargin.Cli.Node;

/// <summary>A node's answer: its status and JSON body (null when the body was empty or not JSON).</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The JSON body.</param>
public sealed record NodeReply(int Status, JsonElement? Body)
{
    /// <summary>What the node said went wrong: a problem's <c>detail</c>, a refusal's <c>reason</c>, else the status.</summary>
    public string Reason =>
        Body is { ValueKind: JsonValueKind.Object } body
            ? body.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()!
            : body.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!
            : body.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!
            : $"HTTP {Status}"
            : $"HTTP {Status}";
}
