namespace CrossMargin.Engine.Accounts;

/// <summary>Asks an <see cref="AccountActor"/> for its <see cref="AccountView"/>.</summary>
public sealed record GetAccount
{
    /// <summary>The one instance.</summary>
    public static GetAccount Instance { get; } = new();
}
