using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossMargin.Contracts;

/// <summary>
/// Reads an ISO 8601 time only when it states its offset (<c>Z</c> or <c>±hh:mm</c>). The serializer's own reading takes
/// a time without one as the node's local time, so the same message would mean different instants on differently
/// configured nodes; a date alone is refused for the same reason.
/// </summary>
internal sealed class OffsetTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A time (ISO 8601 with an offset, e.g. 2026-11-21T08:00:00Z) is expected, not {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        if (!HasOffset(text) || !reader.TryGetDateTimeOffset(out var value))
        {
            throw new JsonException($"'{(text.Length <= 40 ? text : text[..40] + "...")}' is not an ISO 8601 time with an offset (e.g. 2026-11-21T08:00:00Z).");
        }

        return value;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    // A time part, then Z or ±hh:mm at the end: what ISO 8601 calls a time with a UTC offset.
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.Ordinal);
        if (time < 0)
        {
            return false;
        }

        if (text.EndsWith('Z'))
        {
            return true;
        }

        return text.Length - time > 6 && text[^6] is '+' or '-' && char.IsAsciiDigit(text[^5]) && char.IsAsciiDigit(text[^4]) && text[^3] == ':'
               && char.IsAsciiDigit(text[^2]) && char.IsAsciiDigit(text[^1]);
    }
}
