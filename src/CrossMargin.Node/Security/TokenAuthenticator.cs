using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Security;

/// <summary>
/// Finds the configured token a request presents. Tokens are kept as SHA-256 hashes and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/> against every configured one, without stopping at a match, so
/// neither a token's prefix nor its position in the configuration shows in the response time.
/// </summary>
public sealed class TokenAuthenticator
{
    private readonly (string Name, ApiRole Role, byte[] Hash)[] _tokens;

    /// <summary>Hashes the usable tokens of <paramref name="options"/>.</summary>
    public TokenAuthenticator(IOptions<SecurityOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tokens = options.Value.UsableTokens.Select(t => (t.Key, t.Value.Role, Hash(t.Value.Token))).ToArray();
    }

    /// <summary>Whether any token is configured at all.</summary>
    public bool HasTokens => _tokens.Length > 0;

    /// <summary>The name and role of the token equal to <paramref name="presented"/>, or null.</summary>
    public (string Name, ApiRole Role)? Find(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var hash = Hash(presented);
        (string, ApiRole)? found = null;
        foreach (var (name, role, expected) in _tokens)
        {
            // Every token is compared: the time taken does not depend on which one (if any) matched.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = (name, role);
            }
        }

        return found;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
