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

    /// <summary>
    /// Reads a request body under the contract and checks it with <paramref name="check"/>: the command, or the
    /// <c>400 malformed</c> answer listing every violation (the body's own, or the reader's one).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="json">The body's contract.</param>
    /// <param name="check">Checks the message read and builds its command.</param>
    /// <param name="idOf">The message's own id, echoed in the answer.</param>
    /// <param name="cancellation">Cancels the read.</param>
    public static async Task<(TCommand? Command, IResult? Malformed)> ReadCheckedAsync<TMessage, TCommand>(HttpRequest request, JsonTypeInfo<TMessage> json,
        Func<TMessage, ContractResult<TCommand>> check, Func<TMessage, string?> idOf, CancellationToken cancellation)
        where TMessage : class
        where TCommand : class
    {
        var (message, violation) = await ReadAsync(request, json, cancellation);
        var result = message is null ? null : check(message);
        if (message is not null && result is { IsValid: true })
        {
            return (result.Command, null);
        }

        IReadOnlyList<ContractViolation> all = violation is not null ? [violation] : result?.Violations ?? [];
        return (null, Results.BadRequest(new MessageOutcome("rejected", message is null ? null : idOf(message), "malformed", string.Join("; ", all), all)));
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
