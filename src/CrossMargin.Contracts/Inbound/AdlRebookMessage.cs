using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Contracts.Inbound;

/// <summary>
/// An operator's rebooking of the reversal of an unbalanced auto-deleverage fill (<c>POST /api/v1/adl-unbalanced/rebookings</c>),
/// read under the contract: a misspelt <c>settlementPrice</c> read as absent would book a trade where a settled form was meant.
/// </summary>
public sealed record AdlRebookMessage
{
    /// <summary>The liquidation.</summary>
    public string? LiquidationId { get; set; }

    /// <summary>Its auto-deleverage round, 1 or more.</summary>
    public int? Round { get; set; }

    /// <summary>The counterparty whose side stands.</summary>
    public string? CounterpartyId { get; set; }

    /// <summary>
    /// The venue's settlement price of the expired instrument the counterparty was settled for, exactly (the account refuses
    /// any other, naming it); absent to book the reversal as a trade.
    /// </summary>
    public decimal? SettlementPrice { get; set; }

    /// <summary>
    /// The operator's confirmation of what the cluster cannot check (<see cref="RebookAdlReversal.ConfirmUnverified"/>):
    /// that the bankrupt side of an unverified fill is not booked, and that <see cref="SettlementPrice"/> is the venue's
    /// where the counterparty does not keep it. A JSON boolean; absent is false.
    /// </summary>
    public bool ConfirmUnverified { get; set; }

    /// <summary>Checks the request and builds the coordinator's command, or lists every violation.</summary>
    public ContractResult<RebookAdlReversal> ToRebook()
    {
        var check = new FieldCheck();
        var liquidation = check.Id("liquidationId", LiquidationId);
        var counterparty = check.Id("counterpartyId", CounterpartyId);
        if (Round is not > 0)
        {
            check.Fail("round", Round is null ? "is required." : $"must be 1 or more, not {Round}.");
        }

        var price = SettlementPrice is null ? (decimal?)null : check.Positive("settlementPrice", SettlementPrice);
        return check.Ok ? new(null, new RebookAdlReversal(liquidation, Round!.Value, counterparty, price, ConfirmUnverified), []) : new(null, null, check.Violations);
    }
}
