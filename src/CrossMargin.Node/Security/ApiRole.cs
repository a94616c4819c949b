namespace CrossMargin.Node.Security;

/// <summary>What a configured token may do. Each role includes the ones below it.</summary>
public enum ApiRole
{
    /// <summary>Read-only calls (account views, liquidations, stats, the event stream).</summary>
    Read,

    /// <summary>The venue's integration path: inbound account messages, prices, pre-trade checks and liquidation reports.</summary>
    Ingest,

    /// <summary>Operator state changes: halt/resume, insurance-fund deposits, risk parameters, cluster membership.</summary>
    Admin,
}
