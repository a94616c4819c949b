using System.Globalization;
using System.Text.Json;
using CrossMargin.Risk.Instruments;

namespace CrossMargin.Cli.Commands;

/// <summary>One option to price, read from one JSON line of <c>cm price</c> input.</summary>
internal sealed record PriceRequest(OptionKind Kind, double Forward, double Strike, double Years, double Vol, double Rate)
{
    /// <summary>The fields every line must carry, in the order they are echoed.</summary>
    public const string FieldList = "kind, forward, strike, years, vol, rate";

    /// <summary>
    /// Parses and validates one line. Fails with a message naming the offending field rather than
    /// throwing, so one bad line cannot stop the rest. All fields are required: a defaulted rate
    /// would silently misprice every option whose rate was forgotten.
    /// </summary>
    public static bool TryParse(string line, out PriceRequest? request, out string? error)
    {
        request = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            error = "malformed JSON: " + FirstSentence(ex.Message);
            return false;
        }

        using (document)
        {
            error = Read(document.RootElement, out request);
            return error is null;
        }
    }

    private static string? Read(JsonElement root, out PriceRequest? request)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"each line must be a JSON object with fields {FieldList}";
        }

        OptionKind? kind = null;
        double? forward = null, strike = null, years = null, vol = null, rate = null;
        foreach (var property in root.EnumerateObject())
        {
            var problem = property.Name switch
            {
                "kind" => ReadKind(property, ref kind),
                "forward" => ReadNumber(property, ref forward),
                "strike" => ReadNumber(property, ref strike),
                "years" => ReadNumber(property, ref years),
                "vol" => ReadNumber(property, ref vol),
                "rate" => ReadNumber(property, ref rate),
                _ => $"unknown field '{property.Name}' (expected {FieldList})",
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        if (kind is not { } kindValue) { return Missing("kind"); }
        if (forward is not { } forwardValue) { return Missing("forward"); }
        if (strike is not { } strikeValue) { return Missing("strike"); }
        if (years is not { } yearsValue) { return Missing("years"); }
        if (vol is not { } volValue) { return Missing("vol"); }
        if (rate is not { } rateValue) { return Missing("rate"); }

        var range = Positive("forward", forwardValue) ?? Positive("strike", strikeValue) ?? NonNegative("years", yearsValue) ?? NonNegative("vol", volValue);
        if (range is not null)
        {
            return range;
        }

        request = new PriceRequest(kindValue, forwardValue, strikeValue, yearsValue, volValue, rateValue);
        return null;
    }

    private static string Missing(string field) => $"missing field '{field}' (every line needs {FieldList})";

    private static string? ReadKind(JsonProperty property, ref OptionKind? kind)
    {
        if (kind is not null)
        {
            return "duplicate field 'kind'";
        }

        if (property.Value.ValueKind != JsonValueKind.String)
        {
            return $"field 'kind' must be the string \"call\" or \"put\", not a JSON {Describe(property.Value.ValueKind)}";
        }

        kind = property.Value.GetString() switch
        {
            "call" => OptionKind.Call,
            "put" => OptionKind.Put,
            _ => null,
        };
        return kind is null ? $"field 'kind' must be \"call\" or \"put\", not \"{property.Value.GetString()}\"" : null;
    }

    private static string? ReadNumber(JsonProperty property, ref double? value)
    {
        if (value is not null)
        {
            return $"duplicate field '{property.Name}'";
        }

        if (property.Value.ValueKind != JsonValueKind.Number)
        {
            return $"field '{property.Name}' must be a number, not a JSON {Describe(property.Value.ValueKind)}";
        }

        // TryGetDouble fails only when the literal overflows a double (e.g. 1e400).
        if (!property.Value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            return $"field '{property.Name}' must be a finite number, got {property.Value.GetRawText()}";
        }

        value = number;
        return null;
    }

    private static string? Positive(string field, double value) =>
        value > 0.0 ? null : $"field '{field}' must be greater than 0, got {value.ToString("R", CultureInfo.InvariantCulture)}";

    private static string? NonNegative(string field, double value) =>
        value >= 0.0 ? null : $"field '{field}' must not be negative, got {value.ToString("R", CultureInfo.InvariantCulture)}";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    /// <summary>System.Text.Json messages end with a position in the line; the sentence before it is the useful part.</summary>
    private static string FirstSentence(string message)
    {
        var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return position > 0 ? message[..position] : message;
    }
}
