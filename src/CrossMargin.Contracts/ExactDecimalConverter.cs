using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossMargin.Contracts;

/// <summary>
/// Reads a decimal only when the text is a JSON number (as a number or a string) that <see cref="decimal"/> holds
/// exactly. The serializer's own reading rounds past 28-29 significant digits (1.000...0001 became 1, 1E-30 became 0)
/// and accepts strings such as "+5": an amount that is not what the sender wrote is refused, never silently changed.
/// </summary>
internal sealed class ExactDecimalConverter : JsonConverter<decimal>
{
    /// <inheritdoc/>
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            JsonTokenType.String => reader.GetString()!,
            _ => throw new JsonException($"A number is expected, not {reader.TokenType}."),
        };
        if (!IsJsonNumber(text))
        {
            throw new JsonException($"'{Shorten(text)}' is not a number.");
        }

        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture,
                out var value))
        {
            throw new JsonException($"{Shorten(text)} is outside the range of a decimal (about ±7.9e28).");
        }

        if (!IsExactly(value, text))
        {
            throw new JsonException($"{Shorten(text)} has more significant digits than a decimal holds (28); it would be rounded to {value}.");
        }

        return value;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }

    // RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private static bool IsJsonNumber(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        if (i < text.Length && text[i] == '0')
        {
            i++;
        }
        else if (!Digits(text, ref i))
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (!Digits(text, ref i))
            {
                return false;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            if (!Digits(text, ref i))
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static bool Digits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > start;
    }

    /// <summary>True when <paramref name="value"/> is the number <paramref name="text"/> (a valid JSON number) names, digit for digit.</summary>
    private static bool IsExactly(decimal value, string text)
    {
        var body = text.TrimStart('-');
        var e = body.IndexOfAny(['e', 'E']);
        long exponent = 0;
        if (e >= 0 && !long.TryParse(body.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        var mantissa = e >= 0 ? body[..e] : body;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = (point >= 0 ? mantissa.Remove(point, 1) : mantissa).TrimStart('0');
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
        }

        var significant = digits.TrimEnd('0');
        exponent += digits.Length - significant.Length;
        if (significant.Length == 0)
        {
            return value == 0;
        }

        // The decimal's own digits and power of ten, trailing zeros removed the same way.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var held = ((UInt128)unchecked((uint)bits[2]) << 64) | ((UInt128)unchecked((uint)bits[1]) << 32) | unchecked((uint)bits[0]);
        long power = -((bits[3] >> 16) & 0xFF);
        while (held != 0 && held % 10 == 0)
        {
            held /= 10;
            power++;
        }

        return power == exponent && string.Equals(held.ToString(CultureInfo.InvariantCulture), significant, StringComparison.Ordinal);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
