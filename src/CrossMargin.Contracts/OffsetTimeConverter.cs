using System.Numerics;
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

        // The offset is checked on the message's own bytes (nothing allocated); only an escaped or split token is
        // turned into text first. The reader parses from the bytes either way.
        var offsetStated = reader.HasValueSequence || reader.ValueIsEscaped ? HasOffset(reader.GetString().AsSpan()) : HasOffset(reader.ValueSpan);
        if (!offsetStated || !reader.TryGetDateTimeOffset(out var value))
        {
            var text = reader.GetString()!;
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

    // A time part, then Z or ±hh:mm at the end: what ISO 8601 calls a time with a UTC offset. In UTF-8 or UTF-16 alike:
    // the characters looked at are ASCII, whose code units are the same in both and never part of another character's.
    private static bool HasOffset<TChar>(ReadOnlySpan<TChar> text)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        var time = text.IndexOf(TChar.CreateTruncating('T'));
        if (time < 0)
        {
            return false;
        }

        if (text[^1] == TChar.CreateTruncating('Z'))
        {
            return true;
        }

        return text.Length - time > 6 && At(text, 6) is '+' or '-' && char.IsAsciiDigit(At(text, 5)) && char.IsAsciiDigit(At(text, 4)) && At(text, 3) == ':'
               && char.IsAsciiDigit(At(text, 2)) && char.IsAsciiDigit(At(text, 1));
    }

    // The character fromEnd places before the end.
    private static char At<TChar>(ReadOnlySpan<TChar> text, int fromEnd)
        where TChar : unmanaged, IBinaryInteger<TChar> => (char)ushort.CreateTruncating(text[^fromEnd]);
}
