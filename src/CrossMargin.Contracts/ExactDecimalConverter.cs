using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
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
    /// <summary>The most digits a JSON number without an exponent may have to be held exactly by any decimal (see <see cref="TryReadShort"/>).</summary>
    internal const int MaxShortDigits = 28;

    /// <inheritdoc/>
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            throw new JsonException($"A number is expected, not {reader.TokenType}.");
        }

        // Every amount of the contract is short: read from the message's own bytes, nothing allocated. An escaped
        // string or one split across buffers is read as text by the checking path.
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && TryReadShort(reader.ValueSpan, out var value))
        {
            return value;
        }

        return ReadChecked(reader.TokenType == JsonTokenType.Number
            ? Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan)
            : reader.GetString()!);
    }

    /// <summary>
    /// Reads <paramref name="utf8"/> when it is a JSON number of at most <see cref="MaxShortDigits"/> digits without an
    /// exponent; false for anything else, which <see cref="ReadChecked"/> decides. Such a number is always exact in a
    /// decimal: its digits as an integer are below 10^28, under the decimal's 96-bit mantissa (about 7.9e28), and its
    /// places (at most 27, JSON writing a digit before the point) under its largest scale (28); so parsing it cannot
    /// round, and what the checking path would compare digit by digit is equal by construction.
    /// </summary>
    internal static bool TryReadShort(ReadOnlySpan<byte> utf8, out decimal value)
    {
        if (!IsJsonNumber(utf8, out var digits, out var exponent) || exponent || digits > MaxShortDigits)
        {
            value = 0;
            return false;
        }

        return Utf8Parser.TryParse(utf8, out value, out var consumed) && consumed == utf8.Length;
    }

    /// <summary>
    /// Reads <paramref name="text"/> when it is a JSON number a decimal holds exactly, whatever its length or form;
    /// throws <see cref="JsonException"/> saying why not otherwise.
    /// </summary>
    internal static decimal ReadChecked(string text)
    {
        if (!IsJsonNumber(text.AsSpan(), out _, out _))
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

    // RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, in UTF-8 or UTF-16 alike; digits counts those
    // of the integer and fraction parts.
    private static bool IsJsonNumber<TChar>(ReadOnlySpan<TChar> text, out int digits, out bool exponent)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        var i = 0;
        exponent = false;
        if (At(text, i) == '-')
        {
            i++;
        }

        var start = i;
        if (At(text, i) == '0')
        {
            i++;
        }
        else if (!Digits(text, ref i))
        {
            digits = 0;
            return false;
        }

        if (At(text, i) == '.')
        {
            i++;
            if (!Digits(text, ref i))
            {
                digits = 0;
                return false;
            }

            digits = i - start - 1;
        }
        else
        {
            digits = i - start;
        }

        if (At(text, i) is 'e' or 'E')
        {
            exponent = true;
            i++;
            if (At(text, i) is '+' or '-')
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

    private static bool Digits<TChar>(ReadOnlySpan<TChar> text, ref int i)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        var start = i;
        while (char.IsAsciiDigit(At(text, i)))
        {
            i++;
        }

        return i > start;
    }

    // The character at i, or NUL past the end (which no rule accepts, so a NUL inside the text is refused all the same).
    private static char At<TChar>(ReadOnlySpan<TChar> text, int i)
        where TChar : unmanaged, IBinaryInteger<TChar> => i < text.Length ? (char)ushort.CreateTruncating(text[i]) : '\0';

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
