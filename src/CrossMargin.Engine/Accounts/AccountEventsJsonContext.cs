using System.Text.Json.Serialization;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Source-generated JSON contracts of the account's events and snapshot: no reflection at run time, and decimals are
/// written as JSON numbers with every digit decimal holds (System.Text.Json formats decimal exactly), read back exactly.
/// Enums are written by name so that reordering an enum can never change the meaning of a stored event.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(AccountOpened))]
[JsonSerializable(typeof(ExecutionApplied))]
[JsonSerializable(typeof(SettledExecutionApplied))]
[JsonSerializable(typeof(OrderAccepted))]
[JsonSerializable(typeof(OrderCancelled))]
[JsonSerializable(typeof(AllOrdersCancelled))]
[JsonSerializable(typeof(Deposited))]
[JsonSerializable(typeof(Withdrawn))]
[JsonSerializable(typeof(FundingSettled))]
[JsonSerializable(typeof(ExpirySettled))]
[JsonSerializable(typeof(MarginModeChanged))]
[JsonSerializable(typeof(DeficitCovered))]
[JsonSerializable(typeof(LiquidationFeeCharged))]
[JsonSerializable(typeof(SequenceVoided))]
[JsonSerializable(typeof(AccountSnapshot))]
internal sealed partial class AccountEventsJsonContext : JsonSerializerContext;
