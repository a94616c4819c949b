using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Risk.Serialization;

/// <summary>
/// Reads fields of a parsed JSON document with the path of each field, so every error names exactly what is wrong.
/// Unknown fields are rejected: a misspelt "quantiy" must not silently mean zero.
/// </summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new RiskInputException($"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }
    }

    public static void OnlyKnown(JsonElement obj, string path, params string[] names)
    {
        RequireKind(obj, JsonValueKind.Object, path);
        foreach (var property in obj.EnumerateObject())
        {
            if (System.Array.IndexOf(names, property.Name) < 0)
            {
                throw new RiskInputException($"{Join(path, property.Name)}: unknown field (expected one of: {string.Join(", ", names)}).");
            }
        }
    }

    public static JsonElement Required(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : throw new RiskInputException($"{Join(path, name)}: required.");

    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string String(JsonElement obj, string name, string path)
    {
        var v = Required(obj, name, path);
        RequireKind(v, JsonValueKind.String, Join(path, name));
        var s = v.GetString()!;
        return string.IsNullOrWhiteSpace(s) ? throw new RiskInputException($"{Join(path, name)}: must not be empty.") : s;
    }

    public static decimal Decimal(JsonElement obj, string name, string path) => AsDecimal(Required(obj, name, path), Join(path, name));

    public static decimal? OptionalDecimal(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } v ? AsDecimal(v, Join(path, name)) : null;

    public static decimal AsDecimal(JsonElement v, string path)
    {
        RequireKind(v, JsonValueKind.Number, path);
        return v.TryGetDecimal(out var d) ? d : throw new RiskInputException($"{path}: {v.GetRawText()} is out of range.");
    }

    public static double Double(JsonElement obj, string name, string path) => AsDouble(Required(obj, name, path), Join(path, name));

    public static double OptionalDouble(JsonElement obj, string name, string path, double fallback) =>
        Optional(obj, name) is { } v ? AsDouble(v, Join(path, name)) : fallback;

    public static double AsDouble(JsonElement v, string path)
    {
        RequireKind(v, JsonValueKind.Number, path);
        var d = v.GetDouble();
        return double.IsFinite(d) ? d : throw new RiskInputException($"{path}: must be a finite number.");
    }

    public static bool OptionalBool(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new RiskInputException($"{Join(path, name)}: must be true or false."),
    };

    public static DateTimeOffset Instant(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            && HasOffset(text)
            ? t
            : throw new RiskInputException($"{Join(path, name)}: \"{text}\" is not an ISO-8601 instant with an offset (2026-12-25T08:00:00Z).");
    }

    public static T Enum<T>(JsonElement obj, string name, string path, params (string Text, T Value)[] values)
    {
        var text = String(obj, name, path);
        foreach (var (t, v) in values)
        {
            if (string.Equals(t, text, StringComparison.Ordinal))
            {
                return v;
            }
        }

        throw new RiskInputException($"{Join(path, name)}: \"{text}\" is not one of {string.Join(", ", values.Select(v => v.Text))}.");
    }

    public static IEnumerable<(JsonElement Item, string Path)> Array(JsonElement obj, string name, string path, bool required = true)
    {
        if (Optional(obj, name) is not { } v)
        {
            return required ? throw new RiskInputException($"{Join(path, name)}: required.") : [];
        }

        RequireKind(v, JsonValueKind.Array, Join(path, name));
        return v.EnumerateArray().Select((item, i) => (item, $"{Join(path, name)}[{i}]")).ToArray();
    }

    public static IEnumerable<(string Key, JsonElement Value, string Path)> Map(JsonElement obj, string name, string path)
    {
        var v = Required(obj, name, path);
        RequireKind(v, JsonValueKind.Object, Join(path, name));
        return v.EnumerateObject().Select(p => (p.Name, p.Value, $"{Join(path, name)}.{p.Name}")).ToArray();
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>Runs a domain constructor and turns its argument errors into an input error at <paramref name="path"/>.</summary>
    public static T Build<T>(string path, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw RiskInputException.From(e, path);
        }
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static void RequireKind(JsonElement v, JsonValueKind kind, string path)
    {
        if (v.ValueKind != kind)
        {
            var expected = kind switch { JsonValueKind.Object => "an object", JsonValueKind.Array => "an array", JsonValueKind.String => "a string", _ => "a number" };
            throw new RiskInputException($"{path}: must be {expected}, not {v.ValueKind.ToString().ToLowerInvariant()}.");
        }
    }
}
