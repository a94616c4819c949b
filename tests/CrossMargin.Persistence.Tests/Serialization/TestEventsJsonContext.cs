using System.Text.Json.Serialization;

namespace CrossMargin.Persistence.Tests.Serialization;

/// <summary>How a later project brings its own events: a source-generated context.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AccountOpened))]
[JsonSerializable(typeof(PositionClosed))]
internal sealed partial class TestEventsJsonContext : JsonSerializerContext;
