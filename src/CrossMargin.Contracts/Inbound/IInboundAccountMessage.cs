using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>Any account-bound message, whatever command it becomes: what a transport needs to route and check it.</summary>
public interface IInboundAccountMessage
{
    /// <summary>The message id as received (may be invalid).</summary>
    string? MessageId { get; }

    /// <summary>The account as received (may be invalid): what a transport routes on.</summary>
    string? AccountId { get; }

    /// <summary>Checks every field and builds the command, or lists every violation.</summary>
    ContractResult<IAccountCommand> ToAccountCommand();
}
