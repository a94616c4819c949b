namespace CrossMargin.Node.Security;

/// <summary>
/// What an endpoint needs, attached as endpoint metadata (<see cref="SecurityEndpointExtensions"/>). An endpoint without
/// it needs <see cref="Read"/> for GET/HEAD and <see cref="Admin"/> for anything else, so a forgotten tag fails closed.
/// </summary>
public enum AccessLevel
{
    /// <summary>Open to anyone who can reach the port: liveness, readiness, the dashboard's static files.</summary>
    Anonymous,

    /// <summary>Read-only; open without a token when <see cref="SecurityOptions.AllowAnonymousReads"/>.</summary>
    Read,

    /// <summary>The venue's integration path; needs a token when <see cref="SecurityOptions.RequireTokenForIngest"/>.</summary>
    Ingest,

    /// <summary>Operator state changes: always a token with <see cref="ApiRole.Admin"/>, and audited.</summary>
    Admin,
}
