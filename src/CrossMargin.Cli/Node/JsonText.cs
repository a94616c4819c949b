using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Cli.Node;

/// <summary>Reading fields of a node's JSON for tables: missing or null fields read as an empty cell.</summary>
public static class JsonText
{
    /// <summary>The text of <paramref name="name"/> in <paramref name="element"/> (numbers as given, with thousands separators when asked).</summary>
    public static string Of(JsonElement element, string name, bool money = false)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return "";
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Number when money && value.TryGetDecimal(out var d) => d.ToString("#,##0.00", CultureInfo.InvariantCulture),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        };
    }

    /// <summary>
    /// The price <paramref name="name"/> of <paramref name="element"/> to at most 8 decimal places, the ledger's unit: an
    /// average entry is kept to decimal's 28 digits (59786.630651314909998037036141), of which an operator reads the first few.
    /// The exact figure stays in <c>--json</c>.
    /// </summary>
    public static string Price(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d)
            ? Math.Round(d, 8, MidpointRounding.ToEven).ToString("0.########", CultureInfo.InvariantCulture)
            : Of(element, name);

    /// <summary>The ratio <paramref name="name"/> of <paramref name="element"/> as a percentage to two places ("n/a" when absent or null: equity at or below zero).</summary>
    public static string Percent(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d)
            ? d.ToString("P2", CultureInfo.InvariantCulture)
            : "n/a";

    /// <summary>The time <paramref name="name"/> of <paramref name="element"/> in UTC to the millisecond (date included), or the text as given when it is not a time.</summary>
    public static string Time(JsonElement element, string name)
    {
        var text = Of(element, name);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)
            : text;
    }

    /// <summary>The array <paramref name="name"/> of <paramref name="element"/>, or none.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    /// <summary>A URL path segment.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
