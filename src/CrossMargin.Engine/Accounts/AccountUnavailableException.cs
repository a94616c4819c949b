namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The answer (as a <c>Status.Failure</c>) of an account whose journal write just failed, to the command that failed
/// and to anything sent to it for a moment after: nothing was applied, and a retry with the same message id is safe.
/// Refusing what follows, rather than restarting at once, keeps a later message from being applied before the failed
/// one is retried.
/// </summary>
public sealed class AccountUnavailableException : Exception
{
    /// <summary>Creates the failure for <paramref name="accountId"/>.</summary>
    public AccountUnavailableException(string accountId, string reason, Exception? cause = null)
        : base($"Account {accountId} is unavailable: {reason}. Nothing was applied; retry with the same message id.", cause) => AccountId = accountId;

    /// <summary>Creates the failure with a message of the caller's.</summary>
    public AccountUnavailableException()
        : this("(unknown)", "a journal write failed")
    {
    }

    /// <summary>Creates the failure with <paramref name="message"/>.</summary>
    public AccountUnavailableException(string message)
        : base(message) => AccountId = "(unknown)";

    /// <summary>Creates the failure with <paramref name="message"/> and its cause.</summary>
    public AccountUnavailableException(string message, Exception innerException)
        : base(message, innerException) => AccountId = "(unknown)";

    /// <summary>The account's id.</summary>
    public string AccountId { get; }
}
