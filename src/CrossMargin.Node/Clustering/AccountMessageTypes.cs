using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CrossMargin.Contracts;
using CrossMargin.Contracts.Inbound;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// The AMQP <c>type</c> of each inbound account message and how to read its body: the same names the HTTP API counts
/// them under, so a venue publishing to the broker and one posting to a node speak one contract.
/// </summary>
public static class AccountMessageTypes
{
    /// <summary>The query for an account's state (answered like <c>GET /api/v1/accounts/{id}</c>).</summary>
    public const string GetAccount = "getAccount";

    /// <summary>The query for an account's margin with its explanation (answered like <c>GET /api/v1/accounts/{id}/margin</c>).</summary>
    public const string ExplainMargin = "explainMargin";

    /// <summary>The pre-trade check (answered like <c>POST /api/v1/pre-trade</c>; nothing is written).</summary>
    public const string PreTrade = "preTrade";

    private static readonly Dictionary<string, Func<ReadOnlyMemory<byte>, (IInboundAccountMessage? Message, ContractViolation? Violation)>> Readers =
        new(StringComparer.Ordinal)
        {
            ["accountOpened"] = b => Read(b, ContractJsonContext.Default.OpenAccountMessage),
            ["execution"] = b => Read(b, ContractJsonContext.Default.ExecutionMessage),
            ["orderAccepted"] = b => Read(b, ContractJsonContext.Default.OrderAcceptedMessage),
            ["orderCancelled"] = b => Read(b, ContractJsonContext.Default.OrderCancelledMessage),
            ["deposit"] = b => Read(b, ContractJsonContext.Default.DepositMessage),
            ["withdrawal"] = b => Read(b, ContractJsonContext.Default.WithdrawalMessage),
            ["funding"] = b => Read(b, ContractJsonContext.Default.FundingMessage),
            ["expiry"] = b => Read(b, ContractJsonContext.Default.ExpiryMessage),
            ["marginMode"] = b => Read(b, ContractJsonContext.Default.MarginModeMessage),
        };

    /// <summary>The message types a shard queue carries.</summary>
    public static IReadOnlyCollection<string> Names => Readers.Keys;

    /// <summary>Reads a body of <paramref name="type"/>; false when the type is not an account message.</summary>
    public static bool TryRead(string? type, ReadOnlyMemory<byte> body, out IInboundAccountMessage? message, out ContractViolation? violation)
    {
        if (type is null || !Readers.TryGetValue(type, out var read))
        {
            message = null;
            violation = null;
            return false;
        }

        (message, violation) = read(body);
        return true;
    }

    /// <summary>The AMQP type and contract JSON of <paramref name="message"/>, as a venue publishes it.</summary>
    /// <exception cref="ArgumentException">The message is not one of the contract's account messages.</exception>
    public static (string Type, byte[] Body) Write(IInboundAccountMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var json = ContractJsonContext.Default;
        return message switch
        {
            OpenAccountMessage m => ("accountOpened", JsonSerializer.SerializeToUtf8Bytes(m, json.OpenAccountMessage)),
            ExecutionMessage m => ("execution", JsonSerializer.SerializeToUtf8Bytes(m, json.ExecutionMessage)),
            OrderAcceptedMessage m => ("orderAccepted", JsonSerializer.SerializeToUtf8Bytes(m, json.OrderAcceptedMessage)),
            OrderCancelledMessage m => ("orderCancelled", JsonSerializer.SerializeToUtf8Bytes(m, json.OrderCancelledMessage)),
            DepositMessage m => ("deposit", JsonSerializer.SerializeToUtf8Bytes(m, json.DepositMessage)),
            WithdrawalMessage m => ("withdrawal", JsonSerializer.SerializeToUtf8Bytes(m, json.WithdrawalMessage)),
            FundingMessage m => ("funding", JsonSerializer.SerializeToUtf8Bytes(m, json.FundingMessage)),
            ExpiryMessage m => ("expiry", JsonSerializer.SerializeToUtf8Bytes(m, json.ExpiryMessage)),
            MarginModeMessage m => ("marginMode", JsonSerializer.SerializeToUtf8Bytes(m, json.MarginModeMessage)),
            _ => throw new ArgumentException($"{message.GetType().Name} is not an account message of the contract.", nameof(message)),
        };
    }

    private static (IInboundAccountMessage?, ContractViolation?) Read<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> type)
        where T : class, IInboundAccountMessage => ContractReader.Read(body.Span, type);
}
