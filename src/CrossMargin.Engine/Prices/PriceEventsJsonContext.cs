using System.Text.Json.Serialization;

namespace CrossMargin.Engine.Prices;

/// <summary>Source-generated JSON contract of the price pipeline's stored state: decimals exact.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(IndexReference))]
internal sealed partial class PriceEventsJsonContext : JsonSerializerContext;
