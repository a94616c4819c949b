using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CrossMargin.Contracts;

namespace CrossMargin.Node.Api;

/// <summary>Reading request bodies under the contract's size limit, and the answers shared by endpoints.</summary>
internal static class ApiBody
{
    public static async Task<(T? Message, ContractViolation? Violation)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> json, CancellationToken cancellation)
        where T : class
    {
        if (request.ContentLength > ContractReader.MaxMessageBytes * 64)
        {
            return (null, new ContractViolation("", $"The body is {request.ContentLength} bytes; at most {ContractReader.MaxMessageBytes * 64} are accepted."));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellation);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);

        // A prices batch may be larger than one message; every other message is held to the contract's limit.
        return typeof(T) == typeof(Contracts.Inbound.PricesMessage) && bytes.Length <= ContractReader.MaxMessageBytes * 64
            ? ReadLarge(bytes, json)
            : ContractReader.Read(bytes, json);
    }

    public static IResult NotReady() =>
        Results.Json(new MessageOutcome("rejected", Code: "notReady", Reason: "The engine is starting; retry shortly."), statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>A code as clients see it: the enum name in camelCase (<c>WouldBreachMargin</c> -> <c>wouldBreachMargin</c>).</summary>
    public static string Code<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static (T? Message, ContractViolation? Violation) ReadLarge<T>(ReadOnlySpan<byte> bytes, JsonTypeInfo<T> json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, json) is { } message ? (message, null) : (null, new ContractViolation("", "The message is null."));
        }
        catch (JsonException e)
        {
            return (null, new ContractViolation(e.Path is { Length: > 2 } p ? p[2..] : "", e.Message));
        }
    }
}
