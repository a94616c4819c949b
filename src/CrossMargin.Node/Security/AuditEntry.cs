namespace CrossMargin.Node.Security;

/// <summary>One audited call: who changed (or tried to change) what, and how it ended.</summary>
/// <param name="Time">When the call ended.</param>
/// <param name="Who">The token's name, or <c>anonymous</c>.</param>
/// <param name="RemoteAddress">The peer's address.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="Outcome"><c>done</c>, <c>refused</c> (by the security check) or <c>failed</c> (the call answered 4xx/5xx).</param>
/// <param name="Detail">What the endpoint reported it did, when it did.</param>
public sealed record AuditEntry(
    DateTimeOffset Time, string Who, string RemoteAddress, string Method, string Path, int Status, string Outcome, string? Detail);
