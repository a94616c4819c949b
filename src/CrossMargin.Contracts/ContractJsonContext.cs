using System.Text.Json.Serialization;
using CrossMargin.Contracts.Inbound;

namespace CrossMargin.Contracts;

/// <summary>
/// Source-generated JSON for the wire contract: camelCase names, unknown fields refused (a misspelt field must not be
/// silently dropped from a money-moving message), a field given twice refused (which copy would count is not the
/// sender's to guess), numbers read from JSON numbers or strings and written as numbers, decimals only when held
/// exactly (<see cref="ExactDecimalConverter"/>), times only with an offset (<see cref="OffsetTimeConverter"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowDuplicateProperties = false,
    Converters = [typeof(ExactDecimalConverter), typeof(OffsetTimeConverter)])]
[JsonSerializable(typeof(ExecutionMessage))]
[JsonSerializable(typeof(OrderAcceptedMessage))]
[JsonSerializable(typeof(OrderCancelledMessage))]
[JsonSerializable(typeof(DepositMessage))]
[JsonSerializable(typeof(WithdrawalMessage))]
[JsonSerializable(typeof(FundingMessage))]
[JsonSerializable(typeof(ExpiryMessage))]
[JsonSerializable(typeof(MarginModeMessage))]
[JsonSerializable(typeof(PreTradeMessage))]
[JsonSerializable(typeof(OpenAccountMessage))]
[JsonSerializable(typeof(PricesMessage))]
[JsonSerializable(typeof(LiquidationReportMessage))]
[JsonSerializable(typeof(InsuranceFundDepositMessage))]
[JsonSerializable(typeof(UncoveredDeficitCoverMessage))]
[JsonSerializable(typeof(AdlRebookMessage))]
[JsonSerializable(typeof(StressMessage))]
public sealed partial class ContractJsonContext : JsonSerializerContext;
