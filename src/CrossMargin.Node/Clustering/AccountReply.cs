using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// The answer of a shard's owner to an account request that came through the broker (or of the liquidation singleton's
/// holder to an operator's request): the HTTP status and JSON body that node would have answered itself, so any node
/// relays it unchanged.
/// </summary>
/// <param name="Status">The HTTP status: 200 accepted or duplicate, 400 malformed, 404 unknown account, 422 refused.</param>
/// <param name="Body">The JSON body.</param>
public sealed record AccountReply(int Status, JsonElement Body)
{
    // As the HTTP API writes its bodies (see ApiExtensions), so a relayed answer reads the same as a local one.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The reply for <paramref name="status"/> with <paramref name="body"/> serialized as the API would.</summary>
    public static AccountReply Of(int status, object body) => new(status, JsonSerializer.SerializeToElement(body, body.GetType(), Json));

    /// <summary>The node that answered (the shard's owner).</summary>
    public string? Node { get; init; }

    /// <summary>The shard whose queue the request came through: the account's shard.</summary>
    public int? Shard { get; init; }

    /// <summary>The body read as <typeparamref name="T"/>, as the API wrote it.</summary>
    /// <exception cref="JsonException">The body is not a <typeparamref name="T"/>.</exception>
    public T ReadBody<T>() => Body.Deserialize<T>(Json) ?? throw new JsonException($"An empty {typeof(T).Name}.");

    /// <summary>The bytes that travel back.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a reply off the wire.</summary>
    /// <exception cref="JsonException">The bytes are not a reply.</exception>
    public static AccountReply Parse(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize<AccountReply>(bytes.Span, Json) ?? throw new JsonException("An empty account reply.");
}
