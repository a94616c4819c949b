using System.Text.Json.Serialization;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Source-generated JSON of what nodes send one another for liquidation and what they publish on the outbound
/// exchanges: camelCase, enums by camelCase name as the HTTP contract writes them, decimals exact (System.Text.Json writes every digit a decimal holds), no
/// reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(CamelCaseEnumConverter<OrderSide>), typeof(CamelCaseEnumConverter<Liquidity>), typeof(CamelCaseEnumConverter<MarginStatus>),
        typeof(CamelCaseEnumConverter<MarginMode>), typeof(CamelCaseEnumConverter<RejectionCode>)],
    IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountBreached))]
[JsonSerializable(typeof(AcceptNextIndex))]
[JsonSerializable(typeof(LiquidationOrderReport))]
[JsonSerializable(typeof(DepositToInsuranceFund))]
[JsonSerializable(typeof(CoverUncoveredDeficit))]
[JsonSerializable(typeof(LiquidationRequest))]
[JsonSerializable(typeof(RebookAdlReversal))]
[JsonSerializable(typeof(CancelAllOrders))]
[JsonSerializable(typeof(ChargeLiquidationFee))]
[JsonSerializable(typeof(CoverDeficit))]
[JsonSerializable(typeof(ApplyExecution))]
[JsonSerializable(typeof(VoidSequence))]
[JsonSerializable(typeof(OpenAccount))]
[JsonSerializable(typeof(Withdraw))]
[JsonSerializable(typeof(AccountCommandAnswer))]
[JsonSerializable(typeof(AccountViewsQuery))]
[JsonSerializable(typeof(AccountViewList))]
[JsonSerializable(typeof(LiquidationOrderIssued))]
[JsonSerializable(typeof(CancelAllIssued))]
[JsonSerializable(typeof(AccountLimitsChanged))]
[JsonSerializable(typeof(AccountLimitsChangedBatch))]
[JsonSerializable(typeof(AccountStatusChanged))]
[JsonSerializable(typeof(AutoDeleveraged))]
[JsonSerializable(typeof(Rejections.MessageRejected))]
public sealed partial class ClusterWireJsonContext : JsonSerializerContext;
