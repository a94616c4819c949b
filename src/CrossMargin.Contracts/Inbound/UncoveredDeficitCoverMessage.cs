using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Contracts.Inbound;

/// <summary>
/// An operator's request that the insurance fund cover the deficit an account's liquidation left uncovered
/// (<c>POST /api/v1/insurance-fund/uncovered-covers</c>), read under the contract.
/// </summary>
public sealed record UncoveredDeficitCoverMessage
{
    /// <summary>Unique id: a repeated id is answered with the liquidation it started and starts nothing more.</summary>
    public string? RequestId { get; set; }

    /// <summary>The account whose uncovered deficit the fund is to pay.</summary>
    public string? AccountId { get; set; }

    /// <summary>Checks the request and builds the coordinator's command, or lists every violation.</summary>
    public ContractResult<CoverUncoveredDeficit> ToCover()
    {
        var check = new FieldCheck();
        var request = check.Id("requestId", RequestId);
        var account = check.Id("accountId", AccountId);
        return check.Ok ? new(null, new CoverUncoveredDeficit(request, account), []) : new(null, null, check.Violations);
    }
}
