using System.Net;
using CrossMargin.Node.Hosting;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Security;

/// <summary>
/// Checks <see cref="SecurityOptions"/> against where the node listens: off loopback, an admin token and token-checked
/// ingestion are required, and an empty token is an error rather than an open door. Where it listens is
/// <c>Node:HttpUrl</c> and every <c>Kestrel:Endpoints:NAME:Url</c> of <paramref name="configuration"/>: Kestrel binds
/// those instead of <c>Node:HttpUrl</c> when any is set, so a node told to listen on the network that way is held to the
/// same rules.
/// </summary>
public sealed class SecurityOptionsValidator(IOptions<NodeOptions> node, IConfiguration? configuration = null) : IValidateOptions<SecurityOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var off = OffLoopback();
        var loopback = off is null;
        var (setting, url) = off ?? ("Node:HttpUrl", node.Value.HttpUrl);
        var failures = new List<string>();
        foreach (var (tokenName, token) in options.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Token))
            {
                if (!loopback)
                {
                    failures.Add($"Security:Tokens:{tokenName}:Token is empty, and {setting} {url} is not a loopback address: set the token " +
                                 $"(e.g. CROSSMARGIN_Security__Tokens__{tokenName}__Token) or bind to 127.0.0.1.");
                }
            }
            else if (!string.Equals(token.Token, token.Token.Trim(), StringComparison.Ordinal))
            {
                // The presented bearer is trimmed (so is a header's value on the way in): such a token could never match.
                failures.Add($"Security:Tokens:{tokenName}:Token starts or ends with whitespace (a newline left by the file or secret it came from?), " +
                             "which no Authorization header can carry: remove it.");
            }
            else if (token.Token.Length < SecurityOptions.MinimumTokenLength)
            {
                failures.Add($"Security:Tokens:{tokenName}:Token must be at least {SecurityOptions.MinimumTokenLength} characters, not {token.Token.Length}.");
            }

            if (!Enum.IsDefined(token.Role))
            {
                failures.Add($"Security:Tokens:{tokenName}:Role must be read, ingest or admin, not {token.Role}.");
            }
        }

        if (!loopback && !options.UsableTokens.Any(t => t.Value.Role == ApiRole.Admin))
        {
            failures.Add($"{setting} {url} is not a loopback address, so Security:Tokens needs a non-empty admin token " +
                         "(e.g. CROSSMARGIN_Security__Tokens__ops__Token=...); an empty token would leave the admin API open to the network.");
        }

        if (!loopback && !options.RequireTokenForIngest)
        {
            failures.Add($"{setting} {url} is not a loopback address, so Security:RequireTokenForIngest must be true: " +
                         "money-moving messages must not be open to the network.");
        }

        if (options.AuditEntries is < 1 or > 100_000)
        {
            failures.Add($"Security:AuditEntries must be between 1 and 100000, not {options.AuditEntries}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first address the node would listen on off loopback, with the setting that names it; null when none.</summary>
    private (string Setting, string Url)? OffLoopback()
    {
        if (!IsLoopback(node.Value.HttpUrl))
        {
            return ("Node:HttpUrl", node.Value.HttpUrl);
        }

        foreach (var endpoint in configuration?.GetSection("Kestrel:Endpoints").GetChildren() ?? [])
        {
            // Kestrel takes "*" and "+" for every interface, which Uri does not parse: an address not understood is not loopback.
            if (endpoint["Url"] is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out _) || !IsLoopback(url)))
            {
                return ($"Kestrel:Endpoints:{endpoint.Key}:Url", url);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="url"/> binds to loopback only (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return true; // NodeOptionsValidator names the bad URL; one failure is enough.
        }

        return string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
