using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>Risk parameter files made harsher or milder for tests.</summary>
public static class ParameterFiles
{
    /// <summary>
    /// <paramref name="json"/> with every <c>initialRate</c> and <c>maintenanceRate</c> multiplied by <paramref name="factor"/>
    /// (capped at 0.9) and the published maintenance amounts dropped, as they follow from the rates.
    /// </summary>
    public static string Multiply(string json, decimal factor)
    {
        using var document = JsonDocument.Parse(json);
        var element = document.RootElement;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(element, writer, factor);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer, decimal factor)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var p in element.EnumerateObject().Where(p => p.Name != "maintenanceAmount"))
                {
                    writer.WritePropertyName(p.Name);
                    if (p.Name is "initialRate" or "maintenanceRate" && p.Value.ValueKind == JsonValueKind.Number)
                    {
                        writer.WriteNumberValue(Math.Min(0.9m, p.Value.GetDecimal() * factor));
                    }
                    else
                    {
                        Write(p.Value, writer, factor);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer, factor);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
