namespace CrossMargin.Node.Security;

/// <summary>Who made a request: the token's name (or <c>anonymous</c>), its role, and the remote address.</summary>
/// <param name="Name">The token's name in configuration, or <c>anonymous</c>.</param>
/// <param name="Role">The token's role; null without a token.</param>
/// <param name="RemoteAddress">The peer's address, or <c>local</c> in-process.</param>
public sealed record Caller(string Name, ApiRole? Role, string RemoteAddress)
{
    /// <summary>The caller of <paramref name="context"/>, as the security middleware recorded it.</summary>
    public static Caller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(Caller)] as Caller ?? new Caller("anonymous", null, RemoteOf(context));
    }

    /// <summary>The peer's address, or <c>local</c> when there is none (an in-process test server).</summary>
    public static string RemoteOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "local";
    }
}
