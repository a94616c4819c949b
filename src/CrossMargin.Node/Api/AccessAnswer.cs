namespace CrossMargin.Node.Api;

/// <summary>What a caller may read, for the dashboard to decide whether to ask for a token (<c>GET /api/v1/access</c>).</summary>
/// <param name="AnonymousReads">Whether read calls are open without a token (<c>Security:AllowAnonymousReads</c>).</param>
/// <param name="Caller">The token's name, or <c>anonymous</c>.</param>
/// <param name="Role">The token's role (<c>read</c>, <c>ingest</c>, <c>admin</c>); null without a token.</param>
/// <param name="CanRead">Whether this caller's read calls would be answered.</param>
public sealed record AccessAnswer(bool AnonymousReads, string Caller, string? Role, bool CanRead);
