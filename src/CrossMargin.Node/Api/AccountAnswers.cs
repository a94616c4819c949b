using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Api;

/// <summary>
/// How an account's answer becomes an HTTP status and body: one mapping for the node's own endpoints and for a shard
/// owner answering a request that came through the broker, so both say the same thing.
/// </summary>
public static class AccountAnswers
{
    /// <summary>The status and body for a reply to a command, and the outcome and reason it is counted under.</summary>
    public static (int Status, MessageOutcome Body, string Outcome, string? Reason) ForCommand(object reply, string accountId) => reply switch
    {
        CommandAccepted a => (StatusCodes.Status200OK, new MessageOutcome("accepted", a.MessageId, Margin: a.Margin, Gap: a.Gap), "accepted", null),
        CommandDuplicate d => (StatusCodes.Status200OK, new MessageOutcome("duplicate", d.MessageId), "duplicate", null),
        CommandRejected r => Rejected(r, r.Rejection.Code switch
        {
            RejectionCode.UnknownAccount => StatusCodes.Status404NotFound,
            // A conflict, not a bad message: the id is taken by another message the account applied.
            RejectionCode.IdReused => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status422UnprocessableEntity,
        }),
        _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} from account {accountId}."),
    };

    /// <summary>The status and body for the answer to a query (account view, margin explanation).</summary>
    public static (int Status, object Body) ForQuery(object reply) => reply switch
    {
        AccountNotOpen n => (StatusCodes.Status404NotFound, new MessageOutcome("rejected", Code: "unknownAccount", Reason: $"Account {n.AccountId} is not open.")),
        _ => (StatusCodes.Status200OK, reply),
    };

    private static (int Status, MessageOutcome Body, string Outcome, string? Reason) Rejected(CommandRejected rejected, int status)
    {
        var code = ApiBody.Code(rejected.Rejection.Code);
        return (status, new MessageOutcome("rejected", rejected.MessageId, code, rejected.Rejection.Message), "rejected", code);
    }
}
