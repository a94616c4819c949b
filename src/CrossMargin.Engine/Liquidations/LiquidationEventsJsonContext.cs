using System.Text.Json.Serialization;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Source-generated JSON contracts of the coordinator's and the insurance fund's events: decimals exact, enums by name
/// (reordering an enum must never change a stored event's meaning).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(InsuranceFundDeposited))]
[JsonSerializable(typeof(LiquidationFeeCollected))]
[JsonSerializable(typeof(LiquidationShortfallSettled))]
[JsonSerializable(typeof(LiquidationDeficitCovered))]
[JsonSerializable(typeof(LiquidationStarted))]
[JsonSerializable(typeof(LiquidationStepPlanned))]
[JsonSerializable(typeof(LiquidationOrderReported))]
[JsonSerializable(typeof(LiquidationOrdersExpired))]
[JsonSerializable(typeof(LiquidationCoverRequested))]
[JsonSerializable(typeof(LiquidationCoverReceived))]
[JsonSerializable(typeof(AutoDeleverageExecuted))]
[JsonSerializable(typeof(AutoDeleverageFillRefused))]
[JsonSerializable(typeof(AutoDeleverageBankruptSideRefused))]
[JsonSerializable(typeof(AutoDeleverageReversalRefused))]
[JsonSerializable(typeof(AutoDeleverageReversalRebooked))]
[JsonSerializable(typeof(AutoDeleverageRebookingBooked))]
[JsonSerializable(typeof(LiquidationStalled))]
[JsonSerializable(typeof(FundAccountSwept))]
[JsonSerializable(typeof(LiquidationSettlementAnswered))]
[JsonSerializable(typeof(LiquidationCompleted))]
[JsonSerializable(typeof(LiquidationInstrumentHalted))]
[JsonSerializable(typeof(LiquidationInstrumentResumed))]
internal sealed partial class LiquidationEventsJsonContext : JsonSerializerContext;
