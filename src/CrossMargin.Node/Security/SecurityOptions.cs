namespace CrossMargin.Node.Security;

/// <summary>
/// Who may call the node's HTTP API (config/security.json, section <c>Security</c>). Secrets belong in the environment
/// (<c>CROSSMARGIN_Security__Tokens__ops__Token=...</c>), not in the file.
/// </summary>
public sealed class SecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Security";

    /// <summary>Shortest accepted token: 16 characters, so a token cannot be guessed by trying.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>Bearer tokens by name (the name is what the audit log records as "who").</summary>
    public Dictionary<string, ApiToken> Tokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether read-only calls (GET) need no token. Default true; with it off the dashboard asks the operator for a token.</summary>
    public bool AllowAnonymousReads { get; set; } = true;

    /// <summary>
    /// Whether the venue's message endpoints need a token (<see cref="ApiRole.Ingest"/> or above). Off by default on
    /// loopback; start-up refuses a non-loopback bind with it off.
    /// </summary>
    public bool RequireTokenForIngest { get; set; }

    /// <summary>How many audit entries are kept in memory for <c>GET /api/v1/audit</c>.</summary>
    public int AuditEntries { get; set; } = 500;

    /// <summary>The configured tokens that hold a secret (an empty or blank one is no token).</summary>
    public IEnumerable<KeyValuePair<string, ApiToken>> UsableTokens => Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value.Token));
}
