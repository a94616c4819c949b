using System.Text.Json.Serialization;
using CrossMargin.Contracts.Inbound;

namespace CrossMargin.Contracts;

/// <summary>
/// Source-generated JSON for the wire contract: camelCase names, unknown fields refused (a misspelt field must not be
/// silently dropped from a money-moving message), numbers read from JSON numbers or strings and written as numbers.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ExecutionMessage))]
[JsonSerializable(typeof(OrderAcceptedMessage))]
[JsonSerializable(typeof(OrderCancelledMessage))]
[JsonSerializable(typeof(DepositMessage))]
[JsonSerializable(typeof(WithdrawalMessage))]
[JsonSerializable(typeof(FundingMessage))]
[JsonSerializable(typeof(MarginModeMessage))]
[JsonSerializable(typeof(PreTradeMessage))]
[JsonSerializable(typeof(OpenAccountMessage))]
[JsonSerializable(typeof(PricesMessage))]
public sealed partial class ContractJsonContext : JsonSerializerContext;
