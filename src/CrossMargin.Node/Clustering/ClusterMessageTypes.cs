namespace CrossMargin.Node.Clustering;

/// <summary>
/// The AMQP <c>type</c>s of the messages nodes exchange among themselves for liquidation (besides the venue's account
/// messages, <see cref="AccountMessageTypes"/>): what goes through the liquidation queue to the singleton's holder,
/// what the coordinator sends through the shard queues to accounts, and the auto-deleveraging query every node answers.
/// </summary>
public static class ClusterMessageTypes
{
    /// <summary>An account's breach report, to the liquidation queue.</summary>
    public const string Breach = "liquidation.breach";

    /// <summary>The venue's report of a liquidation order (the body of <c>POST /api/v1/liquidation-reports</c>), to the liquidation queue.</summary>
    public const string OrderReport = "liquidation.report";

    /// <summary>Every liquidation (a request; the reply is the HTTP answer).</summary>
    public const string ListLiquidations = "liquidation.list";

    /// <summary>One liquidation's history (a request with <see cref="LiquidationRequest.Id"/>).</summary>
    public const string ShowLiquidation = "liquidation.show";

    /// <summary>The halted instruments.</summary>
    public const string ListHalts = "liquidation.halts";

    /// <summary>Halt forced liquidation on <see cref="LiquidationRequest.Symbol"/>.</summary>
    public const string Halt = "liquidation.halt";

    /// <summary>Resume forced liquidation on <see cref="LiquidationRequest.Symbol"/> (with <see cref="LiquidationRequest.Id"/>: release that liquidation's hold of it alone).</summary>
    public const string Resume = "liquidation.resume";

    /// <summary>The unbalanced auto-deleverage fills.</summary>
    public const string ListUnbalancedAdl = "liquidation.adlUnbalanced";

    /// <summary>An operator's rebooking of an unbalanced fill's reversal (body: the <c>RebookAdlReversal</c>).</summary>
    public const string RebookAdl = "liquidation.adlRebook";

    /// <summary>The insurance fund.</summary>
    public const string ShowFund = "insuranceFund.show";

    /// <summary>A deposit to the insurance fund (body: the deposit).</summary>
    public const string FundDeposit = "insuranceFund.deposit";

    /// <summary>An operator's cover of an account's uncovered deficit by the insurance fund (body: the request).</summary>
    public const string FundCoverUncovered = "insuranceFund.coverUncovered";

    /// <summary>The prefix of the coordinator's messages to accounts through the shard queues (internal, never the venue's).</summary>
    public const string InternalPrefix = "internal.";

    /// <summary>The coordinator's <c>CancelAllOrders</c>.</summary>
    public const string CancelAllOrders = InternalPrefix + "cancelAllOrders";

    /// <summary>The coordinator's <c>ChargeLiquidationFee</c>.</summary>
    public const string ChargeLiquidationFee = InternalPrefix + "chargeLiquidationFee";

    /// <summary>The coordinator's <c>CoverDeficit</c>.</summary>
    public const string CoverDeficit = InternalPrefix + "coverDeficit";

    /// <summary>An auto-deleverage execution (<c>ApplyExecution</c> from source <c>adl</c>).</summary>
    public const string AdlExecution = InternalPrefix + "adlExecution";

    /// <summary>The coordinator's <c>VoidSequence</c>: consumes the sequence of an auto-deleverage execution that never applied.</summary>
    public const string VoidSequence = InternalPrefix + "voidSequence";

    /// <summary>The coordinator's <c>OpenAccount</c> of the insurance fund's own account.</summary>
    public const string OpenAccount = InternalPrefix + "openAccount";

    /// <summary>The coordinator's <c>Withdraw</c> from the insurance fund's own account, moving what its unwind left into the fund.</summary>
    public const string Withdraw = InternalPrefix + "withdraw";

    /// <summary>The coordinator's <c>GetAccount</c>: answered with the account's view.</summary>
    public const string GetAccountView = InternalPrefix + "getAccountView";

    /// <summary>Every internal type a node sends (<see cref="InternalPrefix"/>), the names metrics count them under.</summary>
    public static IReadOnlySet<string> InternalNames { get; } = new HashSet<string>(
        [CancelAllOrders, ChargeLiquidationFee, CoverDeficit, AdlExecution, VoidSequence, OpenAccount, Withdraw, GetAccountView], StringComparer.Ordinal);

    /// <summary>Every node's views of its live accounts interested in some underlyings (auto-deleveraging), on the requests exchange.</summary>
    public const string AccountViews = "accountViews";

    /// <summary>Every type a node sends to the liquidation queue, the names metrics count them under.</summary>
    public static IReadOnlySet<string> LiquidationNames { get; } = new HashSet<string>(
        [Breach, OrderReport, ListLiquidations, ShowLiquidation, ListHalts, Halt, Resume, ListUnbalancedAdl, RebookAdl, ShowFund, FundDeposit, FundCoverUncovered], StringComparer.Ordinal);

    /// <summary>
    /// An operator's <c>AcceptNextIndex</c> a node publishes on the marks exchange, in the stream every node takes prices
    /// from; taken only from the cluster's own user, since a venue may publish prices there.
    /// </summary>
    public const string AcceptNextIndex = "prices.acceptNextIndex";

    /// <summary>Every type a node sends on the marks exchange itself, the names metrics count them under.</summary>
    public static IReadOnlySet<string> MarksNames { get; } = new HashSet<string>([AcceptNextIndex], StringComparer.Ordinal);

    /// <summary>Every cluster-wide query a node answers on the requests exchange, the names metrics count them under.</summary>
    public static IReadOnlySet<string> RequestNames { get; } = new HashSet<string>([AccountViews], StringComparer.Ordinal);
}
