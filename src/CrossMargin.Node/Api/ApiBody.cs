using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CrossMargin.Contracts;

namespace CrossMargin.Node.Api;

/// <summary>Reading request bodies under the contract's size limits, and the answers shared by endpoints.</summary>
internal static class ApiBody
{
    public static async Task<(T? Message, ContractViolation? Violation)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> json, CancellationToken cancellation)
        where T : class
    {
        // A prices batch may be larger than one message; every other message is held to the contract's own limit.
        var limit = typeof(T) == typeof(Contracts.Inbound.PricesMessage) ? ContractReader.MaxBatchBytes : ContractReader.MaxMessageBytes;
        if (request.ContentLength > limit)
        {
            return (null, new ContractViolation("", $"The message is {request.ContentLength} bytes; at most {limit} are accepted."));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellation);
        return ContractReader.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), json, limit);
    }

    public static IResult NotReady() =>
        Results.Json(new MessageOutcome("rejected", Code: "notReady", Reason: "The engine is starting; retry shortly."), statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>The answer of a cluster node when no node answered for the liquidation singleton in time.</summary>
    public static IResult NoLiquidationSingleton(TimeSpan timeout) =>
        Results.Json(new MessageOutcome("rejected", Code: "noLiquidationSingleton",
                Reason: $"No node holding the liquidation singleton answered within {timeout.TotalSeconds:0.###} s (none holds it now, or it is moving); retry shortly."),
            statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>A code as clients see it: the enum name in camelCase (<c>WouldBreachMargin</c> -> <c>wouldBreachMargin</c>).</summary>
    public static string Code<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
