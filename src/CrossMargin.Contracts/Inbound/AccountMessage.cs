using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>
/// What every account-bound message carries: a unique id (a redelivery is acknowledged and ignored), its source and
/// that source's sequence for the account (gaps are reported, going backwards is rejected), and the account.
/// </summary>
/// <typeparam name="TCommand">The engine command the message becomes.</typeparam>
/// <remarks>
/// The inbound messages' properties have setters, not init-only accessors: the source-generated reader can set only
/// settable properties one by one through typed setters; init-only ones it collects through its parameterized-constructor
/// path in an object array, boxing every value-type field (sequence, amounts, time, flags) on every read. A message is
/// read, turned into its command by <see cref="ToCommand"/> and dropped; nothing keeps or shares it.
/// </remarks>
public abstract record AccountMessage<TCommand> : IInboundAccountMessage
    where TCommand : class, IAccountCommand
{
    /// <summary>Unique message id, at most 128 characters.</summary>
    public string? MessageId { get; set; }

    /// <summary>The sending system (matching engine, wallet, funding scheduler); sequences are counted per source and account.</summary>
    public string? Source { get; set; }

    /// <summary>The source's sequence number for this account, from 1.</summary>
    public long? Sequence { get; set; }

    /// <summary>The account.</summary>
    public string? AccountId { get; set; }

    /// <summary>Checks every field and builds the command, or lists every violation.</summary>
    public ContractResult<TCommand> ToCommand()
    {
        var (account, command, violations) = Check();
        return new(account, command, violations);
    }

    /// <inheritdoc/>
    public ContractResult<IAccountCommand> ToAccountCommand()
    {
        // Built directly rather than copied from ToCommand's: a shard delivery reads every message through this one.
        var (account, command, violations) = Check();
        return new(account, command, violations);
    }

    private (string? Account, TCommand? Command, IReadOnlyList<ContractViolation> Violations) Check()
    {
        var check = new FieldCheck();
        var id = check.Id("messageId", MessageId);
        var source = check.Id("source", Source);
        var sequence = check.Sequence(Sequence);
        var account = check.Id("accountId", AccountId);
        var command = Build(check, id, source, sequence);
        if (check.Ok)
        {
            return (account, command, []);
        }

        var accountValid = check.Violations.All(v => v.Field != "accountId");
        return (accountValid ? account : null, null, check.Violations);
    }

    private protected abstract TCommand Build(FieldCheck check, string messageId, string source, long sequence);
}
