using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Contracts.Inbound;

/// <summary>An operator's top-up of the insurance fund (<c>POST /api/v1/insurance-fund/deposits</c>), read under the contract.</summary>
public sealed record InsuranceFundDepositMessage
{
    /// <summary>Unique id: a repeated id is answered with the first answer and changes nothing.</summary>
    public string? RequestId { get; set; }

    /// <summary>An asset the market prices.</summary>
    public string? Asset { get; set; }

    /// <summary>Units, positive.</summary>
    public decimal? Amount { get; set; }

    /// <summary>Checks the deposit and builds the fund's command, or lists every violation.</summary>
    public ContractResult<DepositToInsuranceFund> ToDeposit()
    {
        var check = new FieldCheck();
        var request = check.Id("requestId", RequestId);
        var asset = check.Id("asset", Asset);
        var amount = check.Positive("amount", Amount);
        return check.Ok ? new(null, new DepositToInsuranceFund(request, asset, amount), []) : new(null, null, check.Violations);
    }
}
