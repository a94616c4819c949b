namespace CrossMargin.Engine.Accounts;

/// <summary>
/// What every inbound message and every event it becomes carries: a unique id (deduplication, across restarts) and
/// its source's sequence number (ordering per source). See <see cref="MessageLedger"/> for the rules.
/// </summary>
public interface IAccountMessage
{
    /// <summary>Unique id of the inbound message; for an execution, the venue's execution id is the natural choice.</summary>
    string MessageId { get; }

    /// <summary>The sender (matching engine, wallet service, funding scheduler, operator): sequences are per source.</summary>
    string Source { get; }

    /// <summary>The source's sequence number for this account, from 1, increasing by one per message.</summary>
    long Sequence { get; }
}
