using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CrossMargin.Contracts;

/// <summary>Reads one wire message from JSON, turning every way it can be malformed into a violation rather than an exception.</summary>
public static class ContractReader
{
    /// <summary>Largest message accepted, in bytes: the contract's messages are a few hundred bytes.</summary>
    public const int MaxMessageBytes = 16 * 1024;

    /// <summary>Largest batch of prices accepted, in bytes (up to <see cref="Inbound.PricesMessage.MaxUpdates"/> updates).</summary>
    public const int MaxBatchBytes = 1024 * 1024;

    /// <summary>Deserializes <paramref name="json"/> as <typeparamref name="T"/>, or explains why it cannot.</summary>
    /// <param name="json">The message.</param>
    /// <param name="type">Its JSON contract.</param>
    /// <param name="maxBytes">Largest accepted size: <see cref="MaxMessageBytes"/> for a message, <see cref="MaxBatchBytes"/> for a batch.</param>
    public static (T? Message, ContractViolation? Violation) Read<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, int maxBytes = MaxMessageBytes)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        if (json.Length == 0)
        {
            return (null, new ContractViolation("", "The message is empty; a JSON object is expected."));
        }

        if (json.Length > maxBytes)
        {
            return (null, new ContractViolation("", $"The message is {json.Length} bytes; at most {maxBytes} are accepted."));
        }

        try
        {
            var message = JsonSerializer.Deserialize(json, type);
            return message is null ? (null, new ContractViolation("", "The message is null; a JSON object is expected.")) : (message, null);
        }
        catch (JsonException e)
        {
            // The path names the field ($.quantity); the serializer's message says what was wrong with it.
            var field = e.Path is { Length: > 2 } path ? path[2..] : "";
            return (null, new ContractViolation(field, Describe(e)));
        }
    }

    private static string Describe(JsonException e)
    {
        var text = e.Message;
        var cut = text.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text) + (e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "");
    }
}
