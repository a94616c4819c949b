namespace CrossMargin.Engine.Accounts;

/// <summary>
/// From a <see cref="MarginPass"/> to an account whose entry changed while the pass was publishing limits for the old
/// one: those may have reached subscribers after the account's own, so the account publishes its current limits again.
/// </summary>
internal sealed class PublishLimits
{
    /// <summary>The one instance.</summary>
    public static PublishLimits Instance { get; } = new();

    private PublishLimits()
    {
    }
}
