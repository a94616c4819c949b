using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossMargin.Node.Clustering;

/// <summary>An enum by camelCase name (<c>sell</c>, <c>marginCall</c>), as the HTTP contract writes and reads it.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
public sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    /// <summary>Creates the converter.</summary>
    public CamelCaseEnumConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}
