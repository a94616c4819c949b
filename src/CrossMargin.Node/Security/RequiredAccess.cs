namespace CrossMargin.Node.Security;

/// <summary>Endpoint metadata: the <see cref="AccessLevel"/> a call needs.</summary>
/// <param name="Level">The level.</param>
public sealed record RequiredAccess(AccessLevel Level);
