using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// An account's answer to one of the coordinator's messages, on the wire: the outcome and what the coordinator reads
/// of it (the rejection, or the view). Turned back into the typed answer the coordinator expects.
/// </summary>
/// <param name="Outcome"><c>accepted</c>, <c>duplicate</c>, <c>rejected</c>, <c>view</c> or <c>notOpen</c>.</param>
/// <param name="AccountId">The account.</param>
/// <param name="MessageId">The command's id (commands only).</param>
/// <param name="Code">The rejection's code (rejected only).</param>
/// <param name="Reason">The rejection's message (rejected only).</param>
/// <param name="View">The account's view (view only).</param>
public sealed record AccountCommandAnswer(string Outcome, string AccountId, string? MessageId = null, RejectionCode? Code = null, string? Reason = null, AccountView? View = null)
{
    /// <summary>The wire form of an account actor's answer <paramref name="reply"/>.</summary>
    /// <exception cref="ArgumentException">Not an answer an account gives.</exception>
    public static AccountCommandAnswer Of(string accountId, object reply) => reply switch
    {
        CommandAccepted a => new("accepted", accountId, a.MessageId),
        CommandDuplicate d => new("duplicate", accountId, d.MessageId),
        CommandRejected r => new("rejected", accountId, r.MessageId, r.Rejection.Code, r.Rejection.Message),
        AccountView v => new("view", accountId, View: v),
        AccountNotOpen => new("notOpen", accountId),
        _ => throw new ArgumentException($"{reply?.GetType().Name ?? "null"} is not an account's answer.", nameof(reply)),
    };

    /// <summary>
    /// The typed answer the coordinator reads: an accepted command comes back without its events (the coordinator only
    /// takes it as an acknowledgement).
    /// </summary>
    /// <exception cref="FormatException">The outcome is unknown or lacks what it needs.</exception>
    public object ToReply() => Outcome switch
    {
        "accepted" => new CommandAccepted(Required(MessageId), [], null, null),
        "duplicate" => new CommandDuplicate(Required(MessageId)),
        "rejected" => new CommandRejected(Required(MessageId), new Rejection(Code ?? throw new FormatException("A rejection without a code."), Reason ?? "")),
        "view" => View ?? throw new FormatException("A view answer without a view."),
        "notOpen" => new AccountNotOpen(AccountId),
        _ => throw new FormatException($"Unknown account answer outcome '{Outcome}'."),
    };

    private static string Required(string? messageId) => messageId ?? throw new FormatException("A command answer without its message id.");
}
